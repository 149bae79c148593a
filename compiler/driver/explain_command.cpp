// `healthc explain CARD DATA --account KEY`: one account's score, node by node.
#include <fmt/format.h>

#include <cmath>

#include "compiler/driver/scoring_options.h"
#include "runtime/io/record_reader.h"
#include "runtime/output.h"

namespace healthc::driver {
namespace {

struct Explainer {
  const ir::Program& p;
  const BlockScores& s;
  size_t row;
  std::string out;

  bool scored(int32_t m) const { return s.m_score_valid[m * s.rows + row] != 0; }
  double mscore(int32_t m) const { return s.m_score[m * s.rows + row]; }

  // A node's score for display: the same weighted mean the engine computes.
  std::optional<double> node_score(const ir::WeightNode& n) const {
    if (n.measure >= 0) return scored(n.measure) ? std::optional(mscore(n.measure)) : std::nullopt;
    double num = 0, den = 0;
    for (const auto& c : n.children)
      if (auto v = node_score(c)) num = num + c.weight * *v, den = den + c.weight;
    return den > 0 ? std::optional(num / den) : std::nullopt;
  }

  void nodes(const std::vector<ir::WeightNode>& level, double parent, int depth) {
    double den = 0;
    for (const auto& c : level)
      if (node_score(c)) den += c.weight;
    for (const auto& n : level) {
      const auto sc = node_score(n);
      const double eff = sc && den > 0 ? parent * n.weight / den : 0;
      std::string value = "";
      if (n.measure >= 0) {
        const size_t at = n.measure * s.rows + row;
        const ir::Measure& m = p.measures[n.measure];
        if (m.value == ir::kNone) value = "";
        else if (!s.m_value_valid[at]) value = "missing";
        else if (m.value_kind == ir::ValueKind::Enum) value = p.fields[m.enum_field].members[static_cast<size_t>(s.m_value[at])];
        else if (m.value_kind == ir::ValueKind::Bool) value = s.m_value[at] != 0 ? "true" : "false";
        else {
          rt::append_number(value, s.m_value[at]);
        }
      }
      const std::string label = std::string(depth * 2, ' ') + (n.measure >= 0 ? n.name : n.name + "/");
      out += fmt::format("  {:<28} {:>12} {:>8} {:>7} {:>9} {:>7}\n", label, value,
                         sc ? fmt::format("{:.1f}", *sc) : "unscored", fmt::format("{}", n.weight),
                         sc ? fmt::format("{:.1f}%", eff * 100) : "-",
                         sc ? fmt::format("{:.1f}", eff * (100 - *sc)) : "-");
      if (n.measure < 0) nodes(n.children, sc ? eff : 0, depth + 1);
    }
  }
};

}  // namespace

// The breakdown of one scored row, shared with `healthc test`.
std::string explain_row(const ir::Program& p, const BlockScores& s, size_t row, const std::string& key) {
  Explainer e{p, s, row, {}};
  const int32_t nseg = static_cast<int32_t>(p.segments.size());
  const int32_t seg = s.segment[row];
  e.out += fmt::format("account {}\n", key);
  if (seg < nseg)
    e.out += fmt::format("segment: {}{} (the first segment whose condition holds; model `{}`)\n", p.segments[seg].name,
                         p.segments[seg].title.empty() ? "" : " \"" + p.segments[seg].title + "\"",
                         p.models[p.segments[seg].model].name);
  else
    e.out += fmt::format("segment: default (no segment's condition holds; model `{}`)\n", p.models[p.default_model].name);
  const ir::Model& model = p.models[seg < nseg ? p.segments[seg].model : p.default_model];
  e.out += fmt::format("  {:<28} {:>12} {:>8} {:>7} {:>9} {:>7}\n", "node", "value", "score", "weight", "effective",
                       "lost");
  e.nodes(model.roots, 1.0, 0);
  const int32_t ov = s.override_[row];
  if (ov >= 0) {
    static const char* kActions[] = {"score", "cap", "floor", "band"};
    const ir::Override& o = p.overrides[ov];
    e.out += fmt::format("override: {}{} => {} {}\n", o.name, o.title.empty() ? "" : " \"" + o.title + "\"",
                         kActions[static_cast<int>(o.action)],
                         o.action == ir::ActionKind::Band ? p.bands[o.band].name : fmt::format("{}", o.amount));
  } else {
    e.out += "override: none\n";
  }
  const int32_t band = s.band[row];
  const bool unscored = band >= static_cast<int32_t>(p.bands.size());
  e.out += fmt::format("score: {}\n", s.score[row] < 0 ? std::string("unscored") : fmt::format("{}", s.score[row]));
  e.out += fmt::format("band: {} ({})\n", unscored ? "unscored" : p.bands[band].name, unscored ? "grey" : p.bands[band].color);
  e.out += fmt::format("label: {}\n", s.label[row] < 0 ? std::string("none") : p.labels[s.label[row]].name);
  const std::string reasons = rt::reasons_text(p, s, row);
  e.out += fmt::format("reasons: {}\n", reasons.empty() ? "none" : reasons);
  return e.out;
}

int run_explain(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()
      ("card", po::value<std::string>()->required(), "the scorecard (.health)")
      ("data", po::value<std::string>()->required(), "accounts: CSV or JSON Lines; - for stdin")
      ("account", po::value<std::string>()->required(), "the key of the account to explain");
  add_scoring_options(opts);
  po::positional_options_description pos;
  pos.add("card", 1).add("data", 1);
  po::variables_map vm;
  int code = kExitOk;
  if (!parse_options("explain", "CARD DATA --account KEY [options]\n\nShows how one account's score comes about.", opts,
                     pos, args, vm, code))
    return code;
  double as_of = 0;
  if (!as_of_days(vm, as_of)) return usage_error("explain", "--as-of must be a date YYYY-MM-DD");
  auto card = load_scorecard("explain", vm, code, true);
  if (!card) return code;
  const std::string data = vm["data"].as<std::string>();
  std::string err;
  std::FILE* in = open_input(data, err);
  if (!in) {
    fmt::print(stderr, "healthc explain: {}\n", err);
    return kExitErrors;
  }
  const std::string key = vm["account"].as<std::string>();
  auto reader = rt::make_reader(rt::format_from_path(data), in, card->schema());
  if (std::string e = reader->open(); !e.empty()) {
    fmt::print(stderr, "healthc explain: {}: {}\n", data, e);
    return kExitErrors;
  }
  rt::ColumnBlock block;
  std::vector<rt::Reject> rejects;
  const rt::Schema schema = card->schema();
  const int32_t kf = card->program().key_field;
  for (;;) {
    block.reset(schema);
    rejects.clear();
    if (!reader->next(block, rejects, 4096)) break;
    for (size_t r = 0; r < block.rows; ++r) {
      if (block.text[kf][r].view() != key) continue;
      BlockScores scores;
      rt::ColumnBlock one;  // score just this row
      card->score(block, as_of, true, scores);
      fmt::print("{}", explain_row(card->program(), scores, r, key));
      if (in != stdin) std::fclose(in);
      return kExitOk;
    }
  }
  if (in != stdin) std::fclose(in);
  fmt::print(stderr, "healthc explain: no account `{}` in {}\n", key, data);
  return kExitErrors;
}

}  // namespace healthc::driver
