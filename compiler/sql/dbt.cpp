// The dbt schema.yml beside an emitted model: the columns `healthc compile --emit sql`
// returns, each described from the card (its title, its measures' titles).
#include <fmt/format.h>

#include "compiler/sql/sql.h"

namespace healthc::sql {
namespace {

// A YAML double-quoted scalar.
std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

std::string names(const std::vector<std::string>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i];
  return out;
}

}  // namespace

std::string dbt_schema(const ir::Program& p, const std::string& model, bool explain) {
  std::vector<std::pair<std::string, std::string>> cols;
  std::vector<std::string> segs, bands, labels, overrides;
  for (const auto& s : p.segments) segs.push_back(s.title.empty() ? s.name : fmt::format("{} ({})", s.name, s.title));
  for (const auto& b : p.bands)
    bands.push_back(fmt::format("{} {}..{}{}", b.name, b.from, b.to, b.title.empty() ? "" : " (" + b.title + ")"));
  for (const auto& l : p.labels) labels.push_back(l.title.empty() ? l.name : fmt::format("{} ({})", l.name, l.title));
  for (const auto& o : p.overrides) overrides.push_back(o.title.empty() ? o.name : fmt::format("{} ({})", o.name, o.title));
  cols.emplace_back(p.fields[p.key_field].name, "the account's key");
  cols.emplace_back("segment", "the first segment whose condition holds, else default: " + names(segs));
  cols.emplace_back("score", "the final score 0-100, empty where every measure is unscored");
  cols.emplace_back("band", "the score's band, unscored where there is no score: " + names(bands));
  cols.emplace_back("color", "the band's color (grey: unscored)");
  cols.emplace_back("label", "the first label whose condition holds: " + names(labels));
  cols.emplace_back("override", "the override that applied, if any: " + names(overrides));
  cols.emplace_back("reasons", "the top three measures by points lost, `name -points` joined by `; `");
  if (!p.stale_rules.empty()) cols.emplace_back("stale", "the account's stale subjective measures, joined by `;`");
  if (!p.alerts.empty()) {
    std::vector<std::string> alerts;
    for (const auto& al : p.alerts) alerts.push_back(al.title.empty() ? al.name : fmt::format("{} ({})", al.name, al.title));
    cols.emplace_back("alerts_active", "the alerts active for the account, joined by `;`: " + names(alerts));
    cols.emplace_back("alerts_fired",
                      "the alerts that fired: active now and not in the previous snapshot of the history table");
  }
  if (explain)
    for (const ir::Measure& m : p.measures) {
      const std::string t = m.title.empty() ? m.name : m.title;
      cols.emplace_back(m.name + ".value", t + ": the measure's value");
      cols.emplace_back(m.name + ".score", t + ": the measure's score, empty where unscored");
      cols.emplace_back(m.name + ".weight", t + ": its effective weight in the account's model");
    }
  std::string out = fmt::format("# dbt schema for {}.sql, written by `healthc compile --emit sql --dbt`.\n"
                                "version: 2\n\nmodels:\n  - name: {}\n    description: {}\n    columns:\n",
                                model, model, quoted(p.title));
  for (const auto& [name, desc] : cols) {
    out += fmt::format("      - name: {}\n        description: {}\n", quoted(name), quoted(desc));
    if (name == p.fields[p.key_field].name) out += "        tests:\n          - unique\n          - not_null\n";
  }
  return out;
}

}  // namespace healthc::sql
