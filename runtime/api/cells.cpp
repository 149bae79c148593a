// hc_parse_cells, hc_cell_reason and hc_reasons_text: what a client needs to fill the columnar
// call from text data and to print what `healthc score` prints. The cells go through the CSV
// reader's own cell grammar (runtime/io/cell_parse.h) and the reasons column through the
// writer's (runtime/output.h), so a client never keeps a second copy of either.
#include <cstring>
#include <string>

#include "runtime/api/card.h"
#include "runtime/io/cell_parse.h"

namespace healthc::api {
namespace {

// Rows whose detail is copied into one BlockScores at a time: the writer's reasons read a
// BlockScores, and a few thousand rows keep the copy in cache.
constexpr size_t kReasonRows = 2048;

void copy_slice(std::vector<double>& to, const double* from, size_t measures, size_t rows, size_t begin, size_t n) {
  to.resize(measures * n);
  for (size_t m = 0; m < measures; ++m) std::memcpy(&to[m * n], from + m * rows + begin, n * sizeof(double));
}

void copy_slice(std::vector<uint8_t>& to, const uint8_t* from, size_t measures, size_t rows, size_t begin, size_t n) {
  to.resize(measures * n);
  for (size_t m = 0; m < measures; ++m) std::memcpy(&to[m * n], from + m * rows + begin, n);
}

int parse_cells(const hc_card& h, size_t field, const hc_text* cells, size_t rows, double* values, uint8_t* valid,
                uint8_t* status) {
  const rt::FieldSpec& spec = h.schema.fields[field];
  std::string reason;
  for (size_t r = 0; r < rows; ++r) {
    const std::string_view cell(cells[r].data ? cells[r].data : "", cells[r].size);
    double v = 0;
    const rt::CellStatus s = rt::parse_cell(spec, cell, v, reason);
    if (values) values[r] = s == rt::CellStatus::Present ? v : 0;
    valid[r] = s == rt::CellStatus::Present;
    if (s != rt::CellStatus::Rejected) status[r] = HC_ROW_OK;
    else status[r] = cell.empty() || rt::trim_spaces(cell).empty() ? HC_ROW_MISSING_REQUIRED : HC_ROW_INVALID_VALUE;
  }
  return HC_OK;
}

int reasons_text(const hc_card& h, const hc_batch_out& out, size_t rows, char** text, size_t* len) {
  const ir::Program& p = h.card->program();
  const size_t nm = p.measures.size();
  std::string all;
  all.reserve(rows * 24);
  BlockScores chunk;
  chunk.detail = true;
  for (size_t begin = 0; begin < rows; begin += kReasonRows) {
    const size_t n = std::min(rows - begin, kReasonRows);
    chunk.rows = n;
    copy_slice(chunk.m_score, out.m_score, nm, rows, begin, n);
    copy_slice(chunk.m_weight, out.m_weight, nm, rows, begin, n);
    copy_slice(chunk.m_score_valid, out.m_score_valid, nm, rows, begin, n);
    copy_slice(chunk.m_weight_valid, out.m_weight_valid, nm, rows, begin, n);
    for (size_t r = 0; r < n; ++r) {
      if (out.status[begin + r] == HC_ROW_OK) all += rt::reasons_text(p, chunk, r);
      all.push_back('\n');
    }
  }
  *text = dup_string(all);
  if (!*text) return HC_ENOMEM;
  *len = all.size();
  return HC_OK;
}

}  // namespace
}  // namespace healthc::api

using namespace healthc;

extern "C" int hc_parse_cells(const hc_card* card, size_t field, const hc_text* cells, size_t rows, double* values,
                              uint8_t* valid, uint8_t* status) {
  if (!card || field >= card->schema.fields.size()) return HC_EINVAL;
  if (rows == 0) return HC_OK;
  if (!cells || !valid || !status) return HC_EINVAL;
  if (!values && card->schema.fields[field].type != rt::FieldType::Text) return HC_EINVAL;
  for (size_t r = 0; r < rows; ++r)
    if (!cells[r].data && cells[r].size) return HC_EINVAL;
  return api::guarded([&] { return api::parse_cells(*card, field, cells, rows, values, valid, status); });
}

extern "C" int hc_cell_reason(const hc_card* card, size_t field, const char* cell, size_t len, char** reason) {
  if (reason) *reason = nullptr;
  if (!card || !reason || field >= card->schema.fields.size() || (!cell && len)) return HC_EINVAL;
  return api::guarded([&] {
    const rt::CellValue v = rt::parse_cell(card->schema.fields[field], std::string_view(cell ? cell : "", len));
    if (v.status != rt::CellStatus::Rejected) return HC_OK;
    *reason = api::dup_string(v.reason);
    return *reason ? HC_REJECTED : HC_ENOMEM;
  });
}

extern "C" int hc_reasons_text(const hc_card* card, const hc_batch_out* out, size_t rows, char** text, size_t* len) {
  if (text) *text = nullptr;
  if (len) *len = 0;
  if (!card || !out || !text || !len) return HC_EINVAL;
  if (rows > 0 && (!out->status || !out->m_score || !out->m_score_valid || !out->m_weight || !out->m_weight_valid))
    return HC_EINVAL;
  return api::guarded([&] { return api::reasons_text(*card, *out, rows, text, len); });
}
