// hc_score_columns: a block of accounts in the caller's arrays, scored in place. The caller's
// columns go to the batch function as they are (no copy); rows the readers would refuse (a
// required field missing, a value outside its type: column_checks.h) are marked in `status`,
// never scored.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "compiler/ir/batch_abi.h"
#include "runtime/api/card.h"
#include "runtime/api/column_checks.h"

static_assert(sizeof(hc_text) == sizeof(healthc::ir::TextCell));
static_assert(alignof(hc_text) == alignof(healthc::ir::TextCell));
static_assert(offsetof(hc_text, data) == offsetof(healthc::ir::TextCell, data));
static_assert(offsetof(hc_text, size) == offsetof(healthc::ir::TextCell, size));

namespace healthc::api {
namespace {

// Rows checked and scored at a time without detail. The checks read each column of a chunk
// as one stream, then the batch function reads the chunk again; measured (docs/embedding.md),
// streams of 2048 rows (16 KiB a number column, four pages) spend much of the checks' time on
// the hardware prefetcher starting anew at each chunk and page, and chunks of 512 rows are
// slower still. 16384 rows keep each stream long (128 KiB) while a chunk of a wide card
// (about 100 bytes a row) still fits in the last-level cache for the second read, and the
// per-call output scratch stays bounded. (Detail arrays are laid out over all rows,
// [measure * rows + row], so with detail the block is one chunk.)
constexpr size_t kChunkRows = 16384;

// What every chunk of one call needs, allocated once per call: the column pointers the batch
// function gets, the copies made for a chunk with bad rows, and the outputs the batch function
// computes that the C API does not return (the weighted score; alert and stale masks; given
// null, the batch function would allocate and zero scratch for them on every chunk).
struct CallScratch {
  std::vector<const double*> num;
  std::vector<const uint8_t*> valid;
  std::vector<const ir::TextCell*> text;
  std::vector<std::vector<double>> num_copy;
  std::vector<std::vector<uint8_t>> valid_copy;
  std::vector<std::vector<ir::TextCell>> text_copy;
  std::vector<int32_t> weighted;
  std::vector<uint64_t> alerts, stale;
  CallScratch(const ir::Program& p, size_t chunk)
      : num(p.fields.size()),
        valid(p.fields.size()),
        text(p.fields.size()),
        weighted(chunk),
        alerts(p.alerts.empty() ? 0 : chunk),
        stale(p.stale_rules.empty() ? 0 : chunk) {}
  static uint64_t* or_null(std::vector<uint64_t>& v) { return v.empty() ? nullptr : v.data(); }
};

// Scores rows [begin, end): the caller's columns as they are, or, when some rows are bad,
// copies in which those rows are missing in every field with their values zeroed (so no value
// outside its type reaches the batch function); the bad rows' outputs are then overwritten.
void score_chunk(const hc_card& h, const hc_batch_in& in, const hc_batch_out& out, double as_of, size_t begin,
                 size_t end, bool any_bad, const std::vector<const uint8_t*>& valid_in, CallScratch& s) {
  const ir::Program& p = h.card->program();
  const size_t nf = p.fields.size(), n = end - begin;
  const bool detail = out.m_value != nullptr;
  // Detail rows are strided over the whole block; without detail a chunk is its own block.
  if (any_bad && s.num_copy.empty()) {
    s.num_copy.resize(nf);
    s.valid_copy.resize(nf);
    s.text_copy.resize(nf);
  }
  const uint8_t* status = out.status + begin;
  for (size_t f = 0; f < nf; ++f) {
    const hc_column& c = in.fields[f];
    const bool is_text = p.fields[f].type == ir::FieldType::Text;
    s.valid[f] = valid_in[f] + begin;
    s.text[f] = is_text ? reinterpret_cast<const ir::TextCell*>(c.text) + begin : nullptr;
    s.num[f] = is_text ? nullptr : c.values + begin;
    if (!any_bad) continue;
    s.valid_copy[f].assign(s.valid[f], s.valid[f] + n);
    if (s.num[f]) s.num_copy[f].assign(s.num[f], s.num[f] + n);
    if (s.text[f]) s.text_copy[f].assign(s.text[f], s.text[f] + n);
    for (size_t r = 0; r < n; ++r) {
      if (status[r] == HC_ROW_OK) continue;
      s.valid_copy[f][r] = 0;
      if (s.num[f]) s.num_copy[f][r] = 0;
      if (s.text[f]) s.text_copy[f][r] = ir::TextCell{nullptr, 0};
    }
    s.valid[f] = s.valid_copy[f].data();
    if (s.num[f]) s.num[f] = s.num_copy[f].data();
    if (s.text[f]) s.text[f] = s.text_copy[f].data();
  }
  const ir::BatchColumns cols{s.num.data(), s.valid.data(), s.text.data(), as_of, static_cast<int64_t>(n),
                              nullptr,      nullptr};
  const ir::BatchOutputs o{out.segment + begin, out.score + begin,   out.band + begin,    out.label + begin,
                           out.override_index + begin, out.m_value, out.m_value_valid, out.m_score,
                           out.m_score_valid,          out.m_weight, out.m_weight_valid,
                           s.weighted.data(),          CallScratch::or_null(s.alerts),
                           CallScratch::or_null(s.stale)};
  h.card->score(cols, detail, o);
  if (!any_bad) return;
  const size_t nm = p.measures.size(), rows = in.rows;
  for (size_t r = 0; r < n; ++r) {
    if (status[r] == HC_ROW_OK) continue;
    const size_t row = begin + r;
    out.segment[row] = out.score[row] = out.band[row] = out.label[row] = out.override_index[row] = -1;
    if (!detail) continue;
    for (size_t m = 0; m < nm; ++m) {
      const size_t at = m * rows + row;
      out.m_value_valid[at] = out.m_score_valid[at] = out.m_weight_valid[at] = 0;
      out.m_value[at] = out.m_score[at] = out.m_weight[at] = 0;
    }
  }
}

int score_columns(const hc_card& h, const hc_batch_in& in, const hc_batch_out& out, double as_of) {
  const ir::Program& p = h.card->program();
  const size_t nf = p.fields.size(), rows = in.rows;
  std::vector<const uint8_t*> valid(nf, nullptr);
  std::vector<uint8_t> all_valid;  // for columns given without validity
  for (size_t f = 0; f < nf; ++f) {
    if (!in.fields[f].valid && all_valid.empty()) all_valid.assign(rows, 1);
    valid[f] = in.fields[f].valid ? in.fields[f].valid : all_valid.data();
  }
  const size_t chunk = out.m_value ? rows : kChunkRows;
  CallScratch scratch(p, std::min(rows, chunk));
  for (size_t begin = 0; begin < rows; begin += chunk) {
    const size_t end = std::min(rows, begin + chunk);
    std::memset(out.status + begin, HC_ROW_OK, end - begin);
    bool any_bad = false;
    for (size_t f = 0; f < nf; ++f) {
      if (column_surely_clean(p.fields[f], in.fields[f], valid[f], begin, end)) continue;
      any_bad |= mark_bad_rows(p.fields[f], in.fields[f], valid[f], begin, end, out.status + begin);
    }
    score_chunk(h, in, out, as_of, begin, end, any_bad, valid, scratch);
  }
  return HC_OK;
}

bool valid_arguments(const hc_card* card, const hc_batch_in* in, const hc_batch_out* out) {
  if (!card || !in || !out) return false;
  const ir::Program& p = card->card->program();
  if (in->rows > 0 && (!out->segment || !out->score || !out->band || !out->label || !out->override_index || !out->status))
    return false;
  if (in->field_count != p.fields.size() || (in->field_count > 0 && !in->fields)) return false;
  const int detail = !!out->m_value + !!out->m_value_valid + !!out->m_score + !!out->m_score_valid + !!out->m_weight +
                     !!out->m_weight_valid;
  if (detail != 0 && detail != 6) return false;
  if (in->rows == 0) return true;
  if (in->rows > static_cast<size_t>(INT64_MAX)) return false;
  for (size_t f = 0; f < p.fields.size(); ++f) {
    const hc_column& c = in->fields[f];
    if (p.fields[f].type == ir::FieldType::Text ? !c.text : !c.values) return false;
  }
  return true;
}

}  // namespace
}  // namespace healthc::api

extern "C" int hc_score_columns(const hc_card* card, const hc_batch_in* in, const hc_batch_out* out) {
  if (!healthc::api::valid_arguments(card, in, out)) return HC_EINVAL;
  double days = 0;
  if (!healthc::api::parse_as_of(in->as_of, days)) return HC_EINVAL;
  if (in->rows == 0) return HC_OK;
  return healthc::api::guarded([&] { return healthc::api::score_columns(*card, *in, *out, days); });
}
