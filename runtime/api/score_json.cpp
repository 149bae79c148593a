// hc_score_json: one account as a JSON object in, its scores as a JSON object out. The row goes
// through the JSON Lines reader's parser (rt::JsonRowParser) and the cells out through
// `healthc score`'s formatter (rt::format_rows), so the API and the CLI cannot drift apart.
#include <charconv>

#include "runtime/api/card.h"

namespace healthc::api {
namespace {

// rt::format_rows writes `{...}\n` for one row: the members without the braces and newline.
void append_members(std::string& out, std::string_view formatted) {
  if (formatted.size() >= 3) out.append(formatted.substr(1, formatted.size() - 3));
}

int score_json(const hc_card& h, const char* json, size_t len, double as_of, char** result) {
  const ir::Program& p = h.card->program();
  std::unique_ptr<JsonScratch> s = h.json_pool.take([&] { return std::make_unique<JsonScratch>(h.schema); });
  std::string& out = s->out;
  out.clear();
  int rc = HC_OK;
  if (std::string reason = s->row.parse(json, json + len); !reason.empty()) {
    out += "{\"rejected\":";
    rt::append_json_string(out, reason);
    out += '}';
    rc = HC_REJECTED;
  } else {
    rt::ColumnBlock& b = s->block;
    b.reset(h.schema);
    // One row that points into the parser's document: nothing is copied.
    for (size_t f = 0; f < p.fields.size(); ++f) {
      if (p.fields[f].type == ir::FieldType::Text) {
        const std::string_view t = s->row.text()[f];
        b.text[f].push_back(rt::TextRef{t.data(), t.size()});
      } else {
        b.num[f].push_back(s->row.num()[f]);
      }
      b.valid[f].push_back(s->row.valid()[f]);
    }
    b.rows = 1;
    h.card->score(b, as_of, true, s->scores);
    std::string& cells = s->row_text;
    cells.clear();
    rt::format_rows(p, h.head, b, s->scores, rt::OutputFormat::JsonLines, cells);
    out += '{';
    append_members(out, cells);
    out += ",\"reasons\":[";
    // The `reasons` column's three, with its points (one decimal).
    const std::vector<rt::Reason> top = rt::reasons(p, s->scores, 0, 3);
    for (size_t i = 0; i < top.size(); ++i) {
      if (i) out += ',';
      out += "{\"measure\":";
      rt::append_json_string(out, p.measures[top[i].measure].name);
      out += ",\"points\":";
      rt::append_fixed1(out, top[i].points);
      out += '}';
    }
    out += "],\"measures\":{";
    for (size_t m = 0; m < p.measures.size(); ++m) {
      if (m) out += ',';
      rt::append_json_string(out, p.measures[m].name);
      out += ":{";
      cells.clear();
      rt::format_rows(p, h.measure[m], b, s->scores, rt::OutputFormat::JsonLines, cells);
      append_members(out, cells);
      out += '}';
    }
    out += "}}";
  }
  *result = dup_string(out);
  h.json_pool.give(std::move(s));
  return *result ? rc : HC_ENOMEM;
}

}  // namespace
}  // namespace healthc::api

extern "C" int hc_score_json(const hc_card* card, const char* account_json, size_t len, const char* as_of,
                             char** result_json) {
  if (!result_json) return HC_EINVAL;
  *result_json = nullptr;
  if (!card || !account_json) return HC_EINVAL;
  double days = 0;
  if (!healthc::api::parse_as_of(as_of, days)) return HC_EINVAL;
  return healthc::api::guarded(
      [&] { return healthc::api::score_json(*card, account_json, len, days, result_json); });
}
