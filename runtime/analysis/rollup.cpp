// The roll-ups' figures (rollup.h, spec "Roll-ups"). Sums are exact (CompactSum / ExactSum):
// weight x score and weight x measure score are added without rounding, so a group's figures are the same for
// any thread count, block size or order, and each is rounded once, at the end. Counts and the
// lowest score are merged in input order (ties go to the first account in row order).
#include "runtime/analysis/rollup.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <span>
#include <stdexcept>
#include <type_traits>
#include <unordered_map>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "compiler/ir/conventions.h"
#include "runtime/analysis/exact_sum.h"
#include "runtime/io/simd_dispatch.h"
#include "runtime/output.h"

namespace healthc::analysis {

namespace {

// Every group's running figures, in flat arrays indexed by group (a roll-up by account key has
// as many groups as accounts). The weight of the scored accounts is the sum of the band weights
// (a scored account is in a band, an unscored one in none). A measure's weight is summed per set
// of the measures that counted for an account (few per group: one per model, and where measures
// were unscored), so an account adds its weight once, not once per measure; a group that meets
// more than kMaxSets sets (measures missing at random) sums one weight per measure instead.
constexpr uint8_t kMaxSets = 8;
constexpr uint32_t kNone = UINT32_MAX;

struct SetWeight {
  uint64_t set;  // the measures counted, as bits
  CompactSum weight;
  uint32_t next;  // the group's next set; kNone: the last
};

struct Groups {
  size_t nbands = 0, nmeasures = 0;
  // [group * stride()]: the weighted score sum, then each band's weight, then each measure's
  // weight x score sum.
  std::vector<CompactSum> sums;
  std::vector<int64_t> counts;  // [group * (2 + bands)]: accounts, scored, then each band's accounts
  std::vector<int32_t> min_score;
  std::vector<std::string> min_account;
  std::vector<uint32_t> sets_at;      // [group] its first SetWeight; kNone: none
  std::vector<uint8_t> set_count;     // [group] its sets; kMaxSets + 1: per measure instead
  std::vector<uint32_t> per_measure;  // [group] into measure_weight; kNone: none
  std::vector<SetWeight> sets;
  std::vector<CompactSum> measure_weight;  // [per_measure + measure]
  // A block's set weights (a partial's, where the sets_at lists stay empty): one sum per group
  // and set of counted measures, found through an open-addressing table (slot: entry + 1, 0
  // empty), in the order first met. A row finds its sum in one probe or two, whatever the
  // number of sets its group meets; the builder takes them in by add_set_weight.
  struct BlockSet {
    uint32_t group;
    uint64_t set;
    CompactSum weight;
  };
  std::vector<BlockSet> block_sets;
  std::vector<uint32_t> block_set_slots;
  SumPool pool;
  // A block's groups by their encoded key (each `by` value: a missing tag, or a present tag,
  // its length and its bytes), in the order first met; the builder's through `index`.
  std::vector<std::string> keys;
  std::unordered_map<std::string, uint32_t> index;
  std::vector<const std::string*> key_of;

  size_t stride() const { return 1 + nbands + nmeasures; }
  size_t size() const { return min_score.size(); }
  uint32_t add_group() {
    const auto g = static_cast<uint32_t>(size());
    sums.resize(sums.size() + stride());
    counts.resize(counts.size() + 2 + nbands, 0);
    min_score.push_back(-1);
    min_account.emplace_back();
    sets_at.push_back(kNone);
    set_count.push_back(0);
    per_measure.push_back(kNone);
    return g;
  }
  CompactSum& sum(uint32_t g, size_t i) { return sums[g * stride() + i]; }
  const CompactSum& sum(uint32_t g, size_t i) const { return sums[g * stride() + i]; }
  int64_t& count(uint32_t g, size_t i) { return counts[g * (2 + nbands) + i]; }
  int64_t count(uint32_t g, size_t i) const { return counts[g * (2 + nbands) + i]; }

  // Switches group g to one weight per measure, its sets' weights moved there.
  uint32_t to_per_measure(uint32_t g) {
    if (per_measure[g] == kNone) {
      const auto at = static_cast<uint32_t>(measure_weight.size());
      per_measure[g] = at;
      measure_weight.resize(measure_weight.size() + nmeasures);
      set_count[g] = kMaxSets + 1;
      for (uint32_t i = sets_at[g]; i != kNone; i = sets[i].next)
        for (size_t m = 0; m < nmeasures; ++m)
          if (sets[i].set >> m & 1) pool.add(measure_weight[at + m], sets[i].weight, pool);
      sets_at[g] = kNone;  // the entries are left unused
    }
    return per_measure[g];
  }
  // Adds a weight to the measures of `set`; `add(dest)` adds it to one sum of this pool.
  template <class Add>
  void add_set_weight(uint32_t g, uint64_t set, Add&& add) {
    if (set_count[g] <= kMaxSets) {
      uint32_t* link = &sets_at[g];
      while (*link != kNone && sets[*link].set != set) link = &sets[*link].next;
      if (*link != kNone) {
        add(sets[*link].weight);
        return;
      }
      if (set_count[g] < kMaxSets) {
        const auto i = static_cast<uint32_t>(sets.size());
        *link = i;  // before the push moves the entries `link` may point into
        sets.push_back({set, CompactSum(), kNone});
        ++set_count[g];
        add(sets[i].weight);
        return;
      }
    }
    const uint32_t at = to_per_measure(g);  // one set too many
    for (size_t m = 0; m < nmeasures; ++m)
      if (set >> m & 1) add(measure_weight[at + m]);
  }

  CompactSum& block_set_weight(uint32_t g, uint64_t set) {
    if (2 * (block_sets.size() + 1) > block_set_slots.size()) {
      block_set_slots.assign(std::max<size_t>(64, 2 * block_set_slots.size()), 0);
      for (uint32_t i = 0; i < block_sets.size(); ++i) *find_slot(block_sets[i].group, block_sets[i].set) = i + 1;
    }
    uint32_t* slot = find_slot(g, set);
    if (*slot == 0) {
      block_sets.push_back({g, set, CompactSum()});
      *slot = static_cast<uint32_t>(block_sets.size());
    }
    return block_sets[*slot - 1].weight;
  }
  uint32_t* find_slot(uint32_t g, uint64_t set) {
    const size_t mask = block_set_slots.size() - 1;  // a power of two
    size_t i = static_cast<size_t>(((set * 0x9E3779B97F4A7C15ull) ^ g) * 0xC2B2AE3D27D4EB4Full >> 32) & mask;
    for (;; i = (i + 1) & mask) {
      const uint32_t e = block_set_slots[i];
      if (e == 0 || (block_sets[e - 1].group == g && block_sets[e - 1].set == set)) return &block_set_slots[i];
    }
  }

  // Folds group `og` of `o` (later in row order) into group `g`.
  void merge(uint32_t g, const Groups& o, uint32_t og) {
    for (size_t i = 0; i < stride(); ++i) pool.add(sum(g, i), o.sum(og, i), o.pool);
    for (size_t i = 0; i < 2 + nbands; ++i) count(g, i) += o.count(og, i);
    for (uint32_t i = o.sets_at[og]; i != kNone; i = o.sets[i].next)
      add_set_weight(g, o.sets[i].set, [&](CompactSum& dest) { pool.add(dest, o.sets[i].weight, o.pool); });
    if (o.per_measure[og] != kNone) {
      const uint32_t at = to_per_measure(g);
      for (size_t m = 0; m < nmeasures; ++m)
        pool.add(measure_weight[at + m], o.measure_weight[o.per_measure[og] + m], o.pool);
    }
    // `o` comes later in row order: it wins only with a strictly lower score.
    if (o.min_score[og] >= 0 && (min_score[g] < 0 || o.min_score[og] < min_score[g])) {
      min_score[g] = o.min_score[og];
      min_account[g] = o.min_account[og];
    }
  }

  ExactSum weight_of_measure(uint32_t g, size_t m) const {
    if (per_measure[g] != kNone) return pool.exact(measure_weight[per_measure[g] + m]);
    ExactSum w;
    for (uint32_t i = sets_at[g]; i != kNone; i = sets[i].next)
      if (sets[i].set >> m & 1) w.add(pool.exact(sets[i].weight));
    return w;
  }
};

std::vector<std::optional<std::string>> decode_key(std::string_view k) {
  std::vector<std::optional<std::string>> out;
  for (size_t i = 0; i < k.size();) {
    if (k[i++] == '\0') {
      out.emplace_back();
      continue;
    }
    uint32_t n;
    std::memcpy(&n, k.data() + i, sizeof n);
    i += sizeof n;
    out.emplace_back(std::string(k.substr(i, n)));
    i += n;
  }
  return out;
}

// Missing first, then the UTF-8 bytes (std::string compares as unsigned char), field by field.
bool key_less(const std::vector<std::optional<std::string>>& a, const std::vector<std::optional<std::string>>& b) {
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (a[i].has_value() != b[i].has_value()) return !a[i].has_value();
    if (a[i] && *a[i] != *b[i]) return *a[i] < *b[i];
  }
  return a.size() < b.size();
}

// A `by` value of a row as a roll-up cell prints it; nullopt: missing.
std::optional<std::string_view> by_value(const ir::Program& p, const rt::ColumnBlock& block, int32_t f, size_t row) {
  if (!block.valid[f][row]) return std::nullopt;
  const ir::Field& field = p.fields[f];
  if (field.type == ir::FieldType::Text) return block.text[f][row].view();
  if (field.type == ir::FieldType::Bool) return std::string_view(block.num[f][row] != 0 ? "true" : "false");
  const double m = block.num[f][row];
  if (!(m >= 0 && m < static_cast<double>(field.members.size()))) return std::nullopt;
  return ir::member_spelling(field, static_cast<size_t>(m));
}

void encode_key(const std::vector<std::optional<std::string>>& key, std::string& out) {
  out.clear();
  for (const std::optional<std::string>& v : key) {
    if (!v) {
      out.push_back('\0');
      continue;
    }
    out.push_back('\1');
    const auto n = static_cast<uint32_t>(v->size());
    out.append(reinterpret_cast<const char*>(&n), sizeof n);
    out.append(*v);
  }
}

// A `by` field's value numbers (enum and bool fields), `value_card` of them: 0 missing (or no
// member), a bool 1 false and 2 true, a member its index + 1.
uint32_t value_card(const ir::Field& field) {
  return field.type == ir::FieldType::Bool ? 3 : static_cast<uint32_t>(field.members.size() + 1);
}

void number_values(const ir::Field& field, const rt::ColumnBlock& block, int32_t f, std::vector<uint32_t>& out) {
  const size_t rows = block.rows;
  out.resize(rows);
  const double* num = block.num[f].data();
  const uint8_t* valid = block.valid[f].data();
  uint32_t* id = out.data();
  if (field.type == ir::FieldType::Bool) {
    for (size_t row = 0; row < rows; ++row) id[row] = valid[row] == 0 ? 0 : num[row] != 0 ? 2 : 1;
    return;
  }
  const double limit = static_cast<double>(field.members.size());
  for (size_t row = 0; row < rows; ++row) {
    const double v = num[row];
    const bool present = (valid[row] != 0) & (v >= 0) & (v < limit);  // NaN: no member
    id[row] = static_cast<uint32_t>(static_cast<int32_t>(present ? v : -1.0) + 1);
  }
}

// The value numbers of a block's enum and bool `by` fields, each made once for all the roll-ups.
struct BlockValues {
  std::vector<std::vector<uint32_t>> ids;
  std::vector<int32_t> at;  // [field] into ids; -1: not numbered for this block
  size_t used = 0;
  void reset(size_t fields) {
    at.assign(fields, -1);
    used = 0;
  }
  const uint32_t* of(const ir::Program& p, const rt::ColumnBlock& block, int32_t f) {
    if (at[f] < 0) {
      if (used == ids.size()) ids.emplace_back();
      at[f] = static_cast<int32_t>(used++);
      number_values(p.fields[f], block, f, ids[at[f]]);
    }
    return ids[at[f]].data();  // a moved vector keeps its buffer: stays valid as `ids` grows
  }
};

// A roll-up's rows of a block, numbered: slot[row], `slots` of them. Direct (enum and bool `by`
// fields only, few combinations): a slot is the row's value numbers in mixed radix, the first
// field the most significant, with no dictionary or renumbering; it becomes a group only where
// some row has it (group_of). Otherwise a slot is a group, numbered densely in the order first
// met (each `by` text numbered through a dictionary of the block, the numbers combined field by
// field and renumbered whenever the combination outgrows 32 bits), and `first` holds each
// group's first row. `group`, `code` and `id` are the caller's buffers, reused from block to block.
struct Numbering {
  const uint32_t* slot = nullptr;
  size_t slots = 0;
  bool direct = false;
  std::vector<size_t> first;
};

Numbering group_rows(const ir::Program& p, const ir::Rollup& r, const rt::ColumnBlock& block, size_t direct_limit,
                     BlockValues& values, std::vector<uint32_t>& group, std::vector<uint64_t>& code,
                     std::vector<uint32_t>& id) {
  const size_t rows = block.rows;
  Numbering out;
  uint64_t product = 1;
  bool coded = true;
  for (int32_t f : r.by) {
    if (p.fields[f].type == ir::FieldType::Text) coded = false;
    else product = std::min<uint64_t>(product * value_card(p.fields[f]), uint64_t{1} << 32);
  }
  if (coded && product <= direct_limit) {
    out.direct = true;
    out.slots = product;
    if (r.by.size() == 1) {
      out.slot = values.of(p, block, r.by[0]);
      return out;
    }
    group.assign(rows, 0);
    for (int32_t f : r.by) {
      const uint32_t card = value_card(p.fields[f]);
      const uint32_t* v = values.of(p, block, f);
      for (size_t row = 0; row < rows; ++row) group[row] = group[row] * card + v[row];
    }
    out.slot = group.data();
    return out;
  }
  code.resize(rows);  // the first field sets every row's code (the verifier refuses a roll-up without one)
  if (r.by.empty()) code.assign(rows, 0);
  uint64_t codes = 1;
  bool first_field = true;
  auto densify = [&] {
    std::unordered_map<uint64_t, uint32_t> dense;
    for (uint64_t& c : code) c = dense.try_emplace(c, static_cast<uint32_t>(dense.size())).first->second;
    codes = std::max<uint64_t>(dense.size(), 1);
  };
  // codes < 2^32 before a field and card < 2^32 (a text's at most rows + 1), so neither the codes
  // nor their count overflow.
  for (int32_t f : r.by) {
    const ir::Field& field = p.fields[f];
    uint64_t card = 0;
    const uint32_t* ids = nullptr;
    if (field.type == ir::FieldType::Text) {
      std::unordered_map<std::string_view, uint32_t> dict;
      const uint8_t* valid = block.valid[f].data();
      const rt::TextRef* text = block.text[f].data();
      id.resize(rows);  // the card is known once every row is numbered
      for (size_t row = 0; row < rows; ++row)
        id[row] =
            valid[row] ? dict.try_emplace(text[row].view(), static_cast<uint32_t>(dict.size() + 1)).first->second : 0;
      card = dict.size() + 1;
      ids = id.data();
    } else {
      card = value_card(field);
      ids = values.of(p, block, f);
    }
    for (size_t row = 0; row < rows; ++row) code[row] = (first_field ? 0 : code[row] * card) + ids[row];
    first_field = false;
    codes *= card;
    if (codes >= (uint64_t{1} << 32)) densify();
  }
  group.resize(rows);
  auto note = [&](uint32_t& slot, size_t row) {
    if (slot == UINT32_MAX) {
      slot = static_cast<uint32_t>(out.first.size());
      out.first.push_back(row);
    }
    group[row] = slot;
  };
  if (codes <= 4 * rows + 1024) {
    std::vector<uint32_t> slots(codes, UINT32_MAX);
    for (size_t row = 0; row < rows; ++row) note(slots[code[row]], row);
  } else {
    std::unordered_map<uint64_t, uint32_t> slots;
    for (size_t row = 0; row < rows; ++row) note(slots.try_emplace(code[row], UINT32_MAX).first->second, row);
  }
  out.slot = group.data();
  out.slots = out.first.size();
  return out;
}
// Integer weights (seats; every account weighing 1 without a weight field) take a block-local path
// of plain integers: a row adds its band's count and weight and its weight x score with one integer
// add each, its measures' weights with one add (FastSums), and weight x measure score in fixed point: a
// measure score in [2^-5, 2^7) (a measure score is 0..100) is an integer multiple of 2^-57 below
// 2^64, so it adds as one 64-bit integer (times the weight) to one 128-bit sum. A measure score
// below 2^-5 other than 0, and any other term, goes to the exact sums as before. The integers are
// folded into the exact sums once per block: exact either way, so the figures do not depend on
// which rows took which path. Bounds: a fast weight is below 2^40 and a fixed-point score below
// 2^64, so a term is below 2^104 and a block of at most kFastRows rows sums below 2^125.
constexpr int kFixedUnit = -57;             // the fixed-point scores' unit, 2^-57
constexpr uint64_t kFixedLowBiased = 1018;  // the biased exponent of 2^-5, the lowest fixed-point binade
constexpr uint64_t kFixedBinades = 12;      // 2^-5 .. 2^7
constexpr size_t kFastRows = size_t{1} << 21;
constexpr double kFastWeightLimit = 1099511627776.0;  // 2^40

// The weight of a row: its `weight` cell (missing or negative: 0), or 1 without a weight field
// (weight < 0). True where it is an integer below 2^40 (`w` set), false where it is not.
bool integer_weight(const rt::ColumnBlock& block, int32_t weight, size_t row, uint64_t& w) {
  if (weight < 0) {
    w = 1;
    return true;
  }
  const double x = block.num[weight][row];
  if (!block.valid[weight][row] || !(x > 0)) {
    w = 0;
    return true;
  }
  if (!(x < kFastWeightLimit)) return false;
  w = static_cast<uint64_t>(x);
  return static_cast<double>(w) == x;
}

// A block's weights, in a loop without branches: w[row] an integer below 2^40 (a missing, negative
// or NaN weight weighs 0), or 0 where the row takes the exact sums (integer_weight). True where
// some row does.
__attribute__((always_inline)) inline bool integer_weights(const double* x, const uint8_t* present, size_t rows,
                                                           uint64_t* w) {
  uint8_t exact = 0;
  for (size_t row = 0; row < rows; ++row) {
    const double v = present[row] != 0 && x[row] > 0 ? x[row] : 0.0;  // NaN: not above 0
    const bool small = v < kFastWeightLimit;
    const auto whole = static_cast<int64_t>(small ? v : 0.0);
    const bool integer = small && static_cast<double>(whole) == v;
    w[row] = integer ? static_cast<uint64_t>(whole) : 0;
    exact |= static_cast<uint8_t>(!integer);
  }
  return exact != 0;
}

bool integer_weights_scalar(const double* x, const uint8_t* present, size_t rows, uint64_t* w) {
  return integer_weights(x, present, rows, w);
}

// One measure's scores over a block's rows in fixed point: fixed[row] is the score in units of
// 2^-57 where the measure counts for the row (scored, and in the account's model) and the score is
// in [2^-5, 2^7), 0 elsewhere; counts[row] is 1 where it counts, and where `sets` is given, bit
// `m` of sets[row] is set there (the measure is the row's m-th, m < 8). True where some row counts
// with a score the fixed point does not hold (below 2^-5 but not 0; anything not in 0..128).
// Integer work only, so the AVX2 path gives the same words as this loop.
__attribute__((always_inline)) inline bool fixed_terms(const double* score, const uint8_t* score_valid,
                                                       const uint8_t* weight_valid, size_t rows, uint64_t* fixed,
                                                       uint8_t* counts, uint8_t* sets, unsigned m) {
  uint64_t other = 0;
  for (size_t row = 0; row < rows; ++row) {
    const uint64_t c = static_cast<uint64_t>(score_valid[row] != 0) & static_cast<uint64_t>(weight_valid[row] != 0);
    const uint64_t bits = std::bit_cast<uint64_t>(score[row]);
    const uint64_t shift = (bits >> 52) - kFixedLowBiased;  // wraps below 2^-5; a sign bit: large
    const uint64_t mantissa = (bits & ((uint64_t{1} << 52) - 1)) | uint64_t{1} << 52;
    const uint64_t in = shift < kFixedBinades;
    fixed[row] = (mantissa << (shift & 15)) & -(in & c);
    counts[row] = static_cast<uint8_t>(c);
    if (sets) sets[row] |= static_cast<uint8_t>(c << m);
    other |= c & (in ^ 1) & (bits != 0);
  }
  return other != 0;
}

bool fixed_terms_scalar(const double* score, const uint8_t* score_valid, const uint8_t* weight_valid, size_t rows,
                        uint64_t* fixed, uint8_t* counts, uint8_t* sets, unsigned m) {
  return fixed_terms(score, score_valid, weight_valid, rows, fixed, counts, sets, m);
}

#if defined(__x86_64__)
// fixed_terms eight rows at a time. A lane's shift below 0 or above 63 shifts the mantissa out
// (vpsllvq gives 0), and a shift of 12..63 is masked off, so a lane's term is not 0 exactly where
// its score is in the fixed point's range and counts; a counted score that is not 0 and gives no
// term is one the fixed point does not hold, as in the scalar loop.
__attribute__((target("avx2"))) bool fixed_terms_avx2(const double* score, const uint8_t* score_valid,
                                                      const uint8_t* weight_valid, size_t rows, uint64_t* fixed,
                                                      uint8_t* counts, uint8_t* sets, unsigned m) {
  const __m256i zero = _mm256_setzero_si256(), low = _mm256_set1_epi64x(kFixedLowBiased),
                binades = _mm256_set1_epi64x(kFixedBinades), fraction = _mm256_set1_epi64x((int64_t{1} << 52) - 1),
                implicit = _mm256_set1_epi64x(int64_t{1} << 52);
  const __m128i zero8 = _mm_setzero_si128(), one8 = _mm_set1_epi8(1);
  __m256i other = zero;
  // Four lanes: `c` all ones where the row counts.
  auto lanes = [&](size_t at, __m256i c) __attribute__((target("avx2"))) {
    const __m256i bits = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(score + at));
    const __m256i shift = _mm256_sub_epi64(_mm256_srli_epi64(bits, 52), low);  // -1018..3077
    const __m256i mantissa = _mm256_or_si256(_mm256_and_si256(bits, fraction), implicit);
    const __m256i term =
        _mm256_and_si256(_mm256_sllv_epi64(mantissa, shift), _mm256_and_si256(_mm256_cmpgt_epi64(binades, shift), c));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(fixed + at), term);
    // Counted, not 0, and no term.
    other = _mm256_or_si256(other, _mm256_andnot_si256(_mm256_cmpeq_epi64(bits, zero),
                                                       _mm256_and_si256(_mm256_cmpeq_epi64(term, zero), c)));
  };
  size_t row = 0;
  for (; row + 8 <= rows; row += 8) {
    uint64_t sv, wv;
    std::memcpy(&sv, score_valid + row, 8);
    std::memcpy(&wv, weight_valid + row, 8);
    const __m128i c8 =
        _mm_andnot_si128(_mm_or_si128(_mm_cmpeq_epi8(_mm_cvtsi64_si128(static_cast<int64_t>(sv)), zero8),
                                      _mm_cmpeq_epi8(_mm_cvtsi64_si128(static_cast<int64_t>(wv)), zero8)),
                         one8);
    const auto c64 = static_cast<uint64_t>(_mm_cvtsi128_si64(c8));
    std::memcpy(counts + row, &c64, 8);
    if (sets) {  // each byte 0 or 1, shifted by m < 8 within its byte
      uint64_t s8;
      std::memcpy(&s8, sets + row, 8);
      s8 |= c64 << m;
      std::memcpy(sets + row, &s8, 8);
    }
    lanes(row, _mm256_sub_epi64(zero, _mm256_cvtepu8_epi64(c8)));  // 0 or all ones
    lanes(row + 4, _mm256_sub_epi64(zero, _mm256_cvtepu8_epi64(_mm_srli_si128(c8, 4))));
  }
  const bool rest = fixed_terms(score + row, score_valid + row, weight_valid + row, rows - row, fixed + row,
                                counts + row, sets ? sets + row : nullptr, m);
  return rest || !_mm256_testz_si256(other, other);
}

// integer_weights four rows at a time: v + 2^52 holds an integer v below 2^52 in its low bits.
__attribute__((target("avx2"))) bool integer_weights_avx2(const double* x, const uint8_t* present, size_t rows,
                                                          uint64_t* w) {
  const __m256d zero = _mm256_setzero_pd(), limit = _mm256_set1_pd(kFastWeightLimit), magic = _mm256_set1_pd(0x1p52);
  const __m128i zero8 = _mm_setzero_si128();
  __m256d integer_all = _mm256_castsi256_pd(_mm256_set1_epi64x(-1));
  size_t row = 0;
  for (; row + 4 <= rows; row += 4) {
    uint32_t p4;
    std::memcpy(&p4, present + row, 4);
    const __m256i absent = _mm256_cvtepi8_epi64(_mm_cmpeq_epi8(_mm_cvtsi32_si128(static_cast<int>(p4)), zero8));
    const __m256d raw = _mm256_loadu_pd(x + row);
    const __m256d v = _mm256_andnot_pd(_mm256_castsi256_pd(absent),
                                       _mm256_and_pd(raw, _mm256_cmp_pd(raw, zero, _CMP_GT_OQ)));  // NaN: 0
    const __m256d integer =
        _mm256_and_pd(_mm256_cmp_pd(v, limit, _CMP_LT_OQ), _mm256_cmp_pd(_mm256_floor_pd(v), v, _CMP_EQ_OQ));
    const __m256i whole = _mm256_sub_epi64(_mm256_castpd_si256(_mm256_add_pd(v, magic)), _mm256_castpd_si256(magic));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(w + row), _mm256_and_si256(whole, _mm256_castpd_si256(integer)));
    integer_all = _mm256_and_pd(integer_all, integer);
  }
  const bool rest = integer_weights(x + row, present + row, rows - row, w + row);
  return rest || _mm256_movemask_pd(integer_all) != 0xF;
}
#endif

// Adds one row to its group through the exact sums, each weighing its `weight` cell (missing or
// negative: 0; weight < 0: no weight field, every account weighs 1).
void add_row(const rt::ColumnBlock& block, const BlockScores& scores, uint32_t k, size_t row,
             const std::vector<rt::TextRef>* keys, int32_t weight, Groups& g) {
  const size_t rows = block.rows, nbands = g.nbands, nmeasures = g.nmeasures;
  const bool sets = nmeasures <= 64;
  ++g.count(k, 0);
  uint64_t wm = 1;
  int we = 0;
  if (weight >= 0) {
    // A missing or negative weight counts as 0 (and adds nothing below).
    const double x = block.num[weight][row];
    ExactSum::decompose(block.valid[weight][row] && x > 0 ? x : 0, wm, we);
    // Without its trailing zeros (an integer weight becomes a small integer): the products stay
    // narrow, and a sum's base settles at the lowest term's, so SumPool's inline path takes them.
    if (wm != 0) {
      const int tz = std::countr_zero(wm);
      wm >>= tz;
      we += tz;
    }
  }
  const int32_t band = scores.band[row];
  if (band >= 0 && static_cast<size_t>(band) < nbands) {
    ++g.count(k, 2 + band);
    g.pool.add_bits(g.sum(k, 1 + band), wm, we);
  }
  const int32_t score = scores.score[row];
  if (!ir::is_unscored_score(score)) {
    ++g.count(k, 1);
    g.pool.add_bits(g.sum(k, 0), static_cast<unsigned __int128>(wm) * static_cast<uint32_t>(score), we);
    if (g.min_score[k] < 0 || score < g.min_score[k]) {
      g.min_score[k] = score;
      g.min_account[k] = keys ? std::string((*keys)[row].view()) : std::string();
    }
  }
  if (wm == 0) return;  // weighs nothing: no measure sum moves
  // M counts where it is scored and in the account's model (its effective weight is valid).
  uint64_t counted = 0;
  for (size_t m = 0; m < nmeasures; ++m) {
    const size_t at = m * rows + row;
    if (!scores.m_score_valid[at] || !scores.m_weight_valid[at]) continue;
    uint64_t sm;
    int se;
    ExactSum::decompose(scores.m_score[at], sm, se);
    if (sm != 0) g.pool.add_bits(g.sum(k, 1 + nbands + m), static_cast<unsigned __int128>(wm) * sm, we + se);
    if (sets) counted |= uint64_t{1} << m;
    else g.pool.add_bits(g.measure_weight[g.to_per_measure(k) + m], wm, we);
  }
  if (counted) g.pool.add_bits(g.block_set_weight(k, counted), wm, we);
}

using FixedTermsFn = bool (*)(const double*, const uint8_t*, const uint8_t*, size_t, uint64_t*, uint8_t*, uint8_t*,
                              unsigned);
using IntegerWeightsFn = bool (*)(const double*, const uint8_t*, size_t, uint64_t*);

FixedTermsFn fixed_terms_fn(bool avx2) {
#if defined(__x86_64__)
  if (avx2 && rt::cpu_has_avx2()) return fixed_terms_avx2;
#endif
  (void)avx2;
  return fixed_terms_scalar;
}

IntegerWeightsFn integer_weights_fn(bool avx2) {
#if defined(__x86_64__)
  if (avx2 && rt::cpu_has_avx2()) return integer_weights_avx2;
#endif
  (void)avx2;
  return integer_weights_scalar;
}

// One roll-up's rows of a block (group_rows), the weight field (< 0: none) and the partial they go
// to: `group` maps a slot to its group there (kNone: none yet, a direct slot no row has reached).
struct BlockRows {
  const ir::Rollup* rollup;
  const uint32_t* slot;
  size_t slots;
  int32_t weight;
  Groups* g;
  std::vector<uint32_t>* group;
};

// A slot's group in the partial, made where the slot has none yet (direct slots: the key is the
// slot's value numbers read back, last field first).
uint32_t group_of(const ir::Program& p, const BlockRows& r, uint32_t slot) {
  uint32_t& k = (*r.group)[slot];
  if (k != kNone) return k;
  k = r.g->add_group();
  std::vector<std::optional<std::string>> key(r.rollup->by.size());
  uint32_t rest = slot;
  for (size_t i = key.size(); i-- > 0;) {
    const ir::Field& field = p.fields[r.rollup->by[i]];
    const uint32_t card = value_card(field), id = rest % card;
    rest /= card;
    if (id == 0) continue;
    if (field.type == ir::FieldType::Bool) key[i] = std::string(id == 2 ? "true" : "false");
    else key[i] = std::string(ir::member_spelling(field, id - 1));
  }
  r.g->keys.emplace_back();
  encode_key(key, r.g->keys.back());
  return k;
}

// The block-local integers take a roll-up where its slots are few enough that zeroing and folding
// them costs little beside the rows (a roll-up by account key takes the exact sums directly).
bool fast_fits(size_t slots, size_t rows, size_t nbands, size_t nmeasures) {
  return rows <= kFastRows && slots * (2 + nbands + 2 * nmeasures) <= 2 * rows;
}
constexpr size_t kDirectSlots = 4096;  // at most, for direct numbering

// One roll-up's block-local integers, [copy][slot]: each band's accounts and (with a weight field)
// weight, the band slot `bands` holding the rows in no band (`band`, `band_weight`, nbands + 1 a
// slot); weight x score with the scored accounts above kCountShift (`score`); each measure's
// weight x score in fixed point (`msum`, [copy][measure][slot]); each measure's weight
// (`measure_weight`, below 2^40 x 2^21, laid out as msum), or the weight of each set of counted measures
// (`set_weight`), or, without a weight field and without sets, the count of rows in the
// fixed-point sums' bits from kCountShift up. Below 2^21 rows a count fits 32 bits and a band's
// weight 64. Without a weight field, the scores and the scored accounts are one 64-bit sum
// (`score_count`: scores below 2^28 under bit 32, the count above). [slot] the lowest score and
// its first row. [row] the row's integer weight, 0 where
// it weighs nothing or took the exact sums. With few slots, consecutive rows mostly land in the
// same one, and each add would wait for the one before it: the integers are kept in kCopies
// copies (row i adds to copy i % kCopies), summed when they are folded in.
constexpr size_t kCopies = 4;
// Counts kept in the high bits of the block's 128-bit sums: below 2^21 rows, above sums below 2^96.
constexpr int kCountShift = 96;
constexpr size_t kCopiesUpTo = 64;  // slots
// A roll-up over few measures adds a row's weight once, to its slot's entry for the set of
// measures that counted for the row (`set_weight`, [copy][slot][set], kMaxSetMeasures measures at
// most), not once per measure; the sets are spread over their measures when folded.
constexpr size_t kMaxSetMeasures = 8;
struct FastSums {
  using U128 = unsigned __int128;
  BlockRows in;
  size_t copies = 1;
  bool sets = false;
  std::vector<uint32_t> band;
  std::vector<uint64_t> band_weight;
  std::vector<U128> score;
  std::vector<uint64_t> score_count;
  std::vector<U128> msum;
  std::vector<uint64_t> measure_weight;
  std::vector<uint64_t> set_weight;
  std::vector<int32_t> min_score;
  std::vector<uint32_t> min_row;
  std::vector<uint64_t> fast_w;
};

// What a worker thread's blocks reuse: a block's buffers, some hundreds of KB, would otherwise be
// given back to the system when freed and fault in again on the next block. The roll-ups share
// each row's band slot (0..bands-1, or bands: in no band), score term (its score with 1 at bit 32,
// 0 unscored) and lowest-score term (its score, INT32_MAX unscored).
struct Scratch {
  BlockValues values;
  std::vector<uint64_t> code;
  std::vector<uint32_t> text_id;
  std::vector<std::vector<uint32_t>> group, slot_group;  // [roll-up]
  std::vector<uint32_t> band_slot;
  std::vector<uint64_t> score_term;
  std::vector<int32_t> min_term;
  std::vector<FastSums> fast;
  size_t nfast = 0;
};

// Adds a block's rows to the groups of each roll-up in `rollups`: a pass over the rows per roll-up
// for the accounts, bands and scores, then one pass over the measure scores for all of them: a
// tile of a measure's scores is put in fixed point once (fixed_terms) and added to every roll-up's
// slots while it is in the cache.
void add_rows(const ir::Program& p, const rt::ColumnBlock& block, const BlockScores& scores,
              const std::vector<rt::TextRef>* keys, const std::vector<BlockRows>& rollups, Scratch& scratch) {
  using U128 = unsigned __int128;
  const size_t rows = block.rows, nbands = p.bands.size(), nmeasures = p.measures.size(), nb1 = nbands + 1;
  scratch.nfast = 0;
  bool shared = false;
  for (const BlockRows& r : rollups) {
    Groups& g = *r.g;
    if (!fast_fits(r.slots, rows, nbands, nmeasures)) {  // dense slots: the groups
      for (size_t row = 0; row < rows; ++row) add_row(block, scores, r.slot[row], row, keys, r.weight, g);
      continue;
    }
    if (!shared) {
      shared = true;
      scratch.band_slot.resize(rows);
      scratch.score_term.resize(rows);
      scratch.min_term.resize(rows);
      for (size_t row = 0; row < rows; ++row) {
        const int32_t band = scores.band[row], score = scores.score[row];
        const bool scored = !ir::is_unscored_score(score);
        scratch.band_slot[row] = static_cast<uint32_t>(band) < nbands ? static_cast<uint32_t>(band) : nbands;
        scratch.score_term[row] = scored ? static_cast<uint32_t>(score) | uint64_t{1} << 32 : 0;
        scratch.min_term[row] = scored ? score : std::numeric_limits<int32_t>::max();
      }
    }
    if (scratch.nfast == scratch.fast.size()) scratch.fast.emplace_back();
    FastSums& f = scratch.fast[scratch.nfast++];
    const size_t slots = r.slots;
    const bool weighted = r.weight >= 0;
    f.in = r;
    f.copies = slots <= kCopiesUpTo ? kCopies : 1;
    f.sets = nmeasures <= kMaxSetMeasures && slots << nmeasures <= rows / 4;
    f.band.assign(f.copies * slots * nb1, 0);
    f.band_weight.assign(weighted ? f.copies * slots * nb1 : 0, 0);
    f.score.assign(weighted ? f.copies * slots : 0, 0);
    f.score_count.assign(weighted ? 0 : f.copies * slots, 0);
    f.msum.assign(f.copies * slots * nmeasures, 0);
    f.set_weight.assign(f.sets ? f.copies * (slots << nmeasures) : 0, 0);
    f.measure_weight.assign(weighted && !f.sets ? f.copies * slots * nmeasures : 0, 0);
    f.min_score.assign(slots, std::numeric_limits<int32_t>::max());
    f.min_row.resize(slots);
    f.fast_w.resize(rows);
    // The weights first (integer_weights).
    bool any_exact = false;
    if (!weighted) std::fill(f.fast_w.begin(), f.fast_w.end(), 1);
    else
      any_exact = integer_weights_fn(true)(block.num[r.weight].data(), block.valid[r.weight].data(), rows,
                                           f.fast_w.data());
    // The rows: the lowest score (first row on ties), then the counts and sums in copy row % kCopies.
    const uint32_t* slot = r.slot;
    const uint32_t* band_slot = scratch.band_slot.data();
    const uint64_t* score_term = scratch.score_term.data();
    const int32_t* min_term = scratch.min_term.data();
    const uint64_t* fast_w = f.fast_w.data();
    int32_t* min_score = f.min_score.data();
    uint32_t* min_row = f.min_row.data();
    uint32_t* band[kCopies];
    uint64_t* band_weight[kCopies];
    U128* score[kCopies];
    uint64_t* score_count[kCopies];
    for (size_t c = 0; c < kCopies; ++c) {
      const size_t copy = f.copies == 1 ? 0 : c;
      band[c] = &f.band[copy * slots * nb1];
      band_weight[c] = weighted ? &f.band_weight[copy * slots * nb1] : nullptr;
      score[c] = weighted ? &f.score[copy * slots] : nullptr;
      score_count[c] = weighted ? nullptr : &f.score_count[copy * slots];
    }
    auto pass = [&](auto weighted_rows) {
      auto one = [&](size_t row, size_t c) {
        const uint32_t k = slot[row];
        const int32_t low = min_term[row];
        if (low < min_score[k]) {
          min_score[k] = low;
          min_row[k] = static_cast<uint32_t>(row);
        }
        const size_t at = k * nb1 + band_slot[row];
        const uint64_t term = score_term[row];
        if constexpr (weighted_rows) {
          const uint64_t w = fast_w[row];
          uint64_t check;
          if (any_exact && w == 0 && !integer_weight(block, r.weight, row, check)) {
            add_row(block, scores, group_of(p, r, k), row, keys, r.weight, g);
            return;
          }
          band[c][at] += 1;
          band_weight[c][at] += w;
          // A score of 0..100 times w stays below 2^47; the scored count rides above (kCountShift:
          // term's bit 32, moved to bit 96).
          score[c][k] += static_cast<U128>(w * static_cast<uint32_t>(term)) |
                         static_cast<U128>(term & ~uint64_t{0xFFFFFFFF}) << 64;
        } else {
          band[c][at] += 1;
          score_count[c][k] += term;
        }
      };
      size_t row = 0;
      for (; row + kCopies <= rows; row += kCopies)
        for (size_t c = 0; c < kCopies; ++c) one(row + c, c);
      for (; row < rows; ++row) one(row, row % kCopies);
    };
    if (weighted) pass(std::true_type{});
    else pass(std::false_type{});
  }
  const std::span<FastSums> fast(scratch.fast.data(), scratch.nfast);
  if (fast.empty()) return;
  // A tile of rows at a time (its slots and weights stay in the cache), measure by measure: the
  // tile's scores in fixed point, then each row's term into its slot. Without a weight field every
  // row weighs 1: no weight to read or multiply by.
  constexpr size_t kTile = 1024;
  const FixedTermsFn terms = fixed_terms_fn(true);
  uint64_t fixed[kTile];
  uint8_t counts[kTile];
  uint8_t sets[kTile];  // [row of the tile] the measures that counted for it, as bits
  bool any_sets = false;
  for (FastSums& f : fast) any_sets |= f.sets;
  for (size_t t = 0; t < rows; t += kTile) {
    const size_t n = std::min(kTile, rows - t);
    if (any_sets) std::memset(sets, 0, n);
    for (size_t m = 0; m < nmeasures; ++m) {
      const size_t at = m * rows + t;
      const double* score = &scores.m_score[at];
      const bool others = terms(score, &scores.m_score_valid[at], &scores.m_weight_valid[at], n, fixed, counts,
                                any_sets ? sets : nullptr, static_cast<unsigned>(m));
      for (FastSums& f : fast) {
        const uint32_t* slot = f.in.slot + t;
        // Copy c of M's sums; t is a multiple of kTile, so row t + i goes to copy i % copies.
        U128* sum[kCopies];
        uint64_t* mw[kCopies];
        for (size_t c = 0; c < kCopies; ++c) {
          const size_t at = ((f.copies == 1 ? 0 : c) * nmeasures + m) * f.in.slots;
          sum[c] = &f.msum[at];
          mw[c] = f.measure_weight.empty() ? nullptr : &f.measure_weight[at];
        }
        const uint64_t* fast_w = f.fast_w.data() + t;
        // weighted: w x term, and without sets the weight per measure; otherwise the term, and
        // without sets the count above it.
        auto add = [&](auto weighted, auto count, size_t i, size_t c) {
          if constexpr (weighted) {
            sum[c][slot[i]] += static_cast<U128>(fast_w[i]) * fixed[i];
            if constexpr (count) mw[c][slot[i]] += fast_w[i] & -static_cast<uint64_t>(counts[i]);
          } else if constexpr (count) {
            // The count rides above the sum: below 2^21 x 2^64 = 2^85, so bits 96 up are free.
            sum[c][slot[i]] += fixed[i] | static_cast<U128>(counts[i]) << kCountShift;
          } else {
            sum[c][slot[i]] += fixed[i];
          }
        };
        auto add_tile = [&](auto weighted, auto count) {
          size_t i = 0;
          for (; i + kCopies <= n; i += kCopies)
            for (size_t c = 0; c < kCopies; ++c) add(weighted, count, i + c, c);
          for (; i < n; ++i) add(weighted, count, i, i % kCopies);
        };
        if (f.in.weight < 0 && f.sets) add_tile(std::false_type{}, std::false_type{});
        else if (f.in.weight < 0) add_tile(std::false_type{}, std::true_type{});
        else if (f.sets) add_tile(std::true_type{}, std::false_type{});
        else add_tile(std::true_type{}, std::true_type{});
        if (!others) continue;
        // The scores the fixed point does not hold, through the exact sums.
        for (size_t i = 0; i < n; ++i) {
          const uint64_t w = fast_w[i];
          if (!counts[i] || fixed[i] != 0 || w == 0) continue;
          uint64_t sm;
          int se;
          ExactSum::decompose(score[i], sm, se);
          if (sm != 0)
            f.in.g->pool.add_bits(f.in.g->sum(group_of(p, f.in, f.in.slot[t + i]), 1 + nbands + m),
                                  static_cast<U128>(w) * sm, se);
        }
      }
    }
    // Each row's weight once, to its slot's set of counted measures.
    for (FastSums& f : fast) {
      if (!f.sets) continue;
      const uint32_t* slot = f.in.slot + t;
      const uint64_t* fast_w = f.fast_w.data() + t;
      uint64_t* sw[kCopies];
      for (size_t c = 0; c < kCopies; ++c) sw[c] = &f.set_weight[(f.copies == 1 ? 0 : c) * (f.in.slots << nmeasures)];
      size_t i = 0;
      for (; i + kCopies <= n; i += kCopies)
        for (size_t c = 0; c < kCopies; ++c) sw[c][(slot[i + c] << nmeasures) + sets[i + c]] += fast_w[i + c];
      for (; i < n; ++i) sw[i % kCopies][(slot[i] << nmeasures) + sets[i]] += fast_w[i];
    }
  }
  // The copies' sum is the sum over the block's rows, so it keeps the block's bounds.
  for (FastSums& f : fast) {
    Groups& g = *f.in.g;
    const size_t slots = f.in.slots;
    auto fold_copies = [&](auto& v) {
      const size_t each = v.size() / f.copies;
      for (size_t c = 1; c < f.copies; ++c)
        for (size_t i = 0; i < each; ++i) v[i] += v[c * each + i];
    };
    fold_copies(f.band);
    fold_copies(f.band_weight);
    fold_copies(f.score);
    fold_copies(f.score_count);
    fold_copies(f.msum);
    fold_copies(f.measure_weight);
    fold_copies(f.set_weight);
    const bool counted_in_sums = f.in.weight < 0 && !f.sets;  // the measures' counts above kCountShift
    if (f.sets) {  // the sets' weights spread over their measures
      f.measure_weight.assign(nmeasures * slots, 0);
      for (size_t k = 0; k < slots; ++k)
        for (size_t set = 1; set < size_t{1} << nmeasures; ++set)
          if (const uint64_t w = f.set_weight[(k << nmeasures) + set])
            for (size_t m = 0; m < nmeasures; ++m)
              if (set >> m & 1) f.measure_weight[m * slots + k] += w;
    }
    constexpr U128 kLow = (U128{1} << kCountShift) - 1;
    for (uint32_t k = 0; k < slots; ++k) {
      const uint32_t* in_band = &f.band[k * nb1];
      int64_t accounts = 0;
      for (size_t b = 0; b <= nbands; ++b) accounts += in_band[b];
      if (accounts == 0 && (*f.in.group)[k] == kNone) continue;  // a direct slot no row has
      const uint32_t gk = group_of(p, f.in, k);
      if (f.min_score[k] != std::numeric_limits<int32_t>::max()) {  // over all the slot's rows
        g.min_score[gk] = f.min_score[k];
        g.min_account[gk] = keys ? std::string((*keys)[f.min_row[k]].view()) : std::string();
      }
      if (accounts == 0) continue;  // only rows through the exact sums
      g.count(gk, 0) += accounts;
      const U128 score_sum = f.in.weight >= 0 ? f.score[k] & kLow : f.score_count[k] & 0xFFFFFFFF;
      g.count(gk, 1) += static_cast<int64_t>(f.in.weight >= 0 ? f.score[k] >> kCountShift : f.score_count[k] >> 32);
      if (score_sum) g.pool.add_bits(g.sum(gk, 0), score_sum, 0);
      for (size_t b = 0; b < nbands; ++b) {
        g.count(gk, 2 + b) += in_band[b];
        const uint64_t w = f.in.weight >= 0 ? f.band_weight[k * nb1 + b] : in_band[b];
        if (w) g.pool.add_bits(g.sum(gk, 1 + b), w, 0);
      }
      for (size_t m = 0; m < nmeasures; ++m) {
        U128 ms = f.msum[m * slots + k];
        uint64_t mw;
        if (counted_in_sums) {  // every row weighs 1: the count is the weight
          mw = static_cast<uint64_t>(ms >> kCountShift);
          ms &= kLow;
        } else {
          mw = f.measure_weight[m * slots + k];
        }
        if (mw) g.pool.add_bits(g.measure_weight[g.to_per_measure(gk) + m], mw, 0);
        if (ms) g.pool.add_bits(g.sum(gk, 1 + nbands + m), ms, kFixedUnit);
      }
    }
  }
}

}  // namespace

struct RollupBuilder::Partial {
  Groups groups;
};

struct RollupBuilder::State {
  const ir::Program* program = nullptr;
  size_t rollup = 0;
  Groups groups;
};

}  // namespace healthc::analysis

void std::default_delete<healthc::analysis::RollupBuilder::Partial>::operator()(
    healthc::analysis::RollupBuilder::Partial* p) const {
  delete p;
}

namespace healthc::analysis {

RollupBuilder::RollupBuilder(const ir::Program& program, size_t rollup) : state_(std::make_unique<State>()) {
  if (rollup >= program.rollups.size()) throw std::out_of_range("no such roll-up");
  state_->program = &program;
  state_->rollup = rollup;
}
RollupBuilder::~RollupBuilder() = default;
RollupBuilder::RollupBuilder(RollupBuilder&&) noexcept = default;
RollupBuilder& RollupBuilder::operator=(RollupBuilder&&) noexcept = default;

namespace detail {
bool rollup_fixed_terms(bool avx2, const double* score, const uint8_t* score_valid, const uint8_t* weight_valid,
                        size_t rows, uint64_t* fixed, uint8_t* counts, uint8_t* sets, unsigned m) {
  return fixed_terms_fn(avx2)(score, score_valid, weight_valid, rows, fixed, counts, sets, m);
}
bool rollup_integer_weights(bool avx2, const double* x, const uint8_t* present, size_t rows, uint64_t* w) {
  return integer_weights_fn(avx2)(x, present, rows, w);
}
}  // namespace detail

std::unique_ptr<RollupBuilder::Partial> RollupBuilder::partial(const rt::ColumnBlock& block,
                                                               const BlockScores& scores) const {
  std::vector<std::unique_ptr<Partial>> out = partials({this}, block, scores);
  return std::move(out[0]);
}

std::vector<std::unique_ptr<RollupBuilder::Partial>> RollupBuilder::partials(
    const std::vector<const RollupBuilder*>& builders, const rt::ColumnBlock& block, const BlockScores& scores) {
  std::vector<std::unique_ptr<Partial>> out;
  if (builders.empty()) return out;
  const ir::Program& p = *builders[0]->state_->program;
  const size_t nmeasures = p.measures.size(), nbands = p.bands.size(), rows = block.rows;
  if (scores.rows != rows) throw std::invalid_argument("roll-up: the scores are not the block's");
  if (!scores.detail && nmeasures > 0) throw std::invalid_argument("roll-ups need detail scores (measure scores)");
  static thread_local Scratch scratch;
  if (scratch.group.size() < builders.size()) {
    scratch.group.resize(builders.size());
    scratch.slot_group.resize(builders.size());
  }
  scratch.values.reset(p.fields.size());
  // Direct slots only where the block-local integers take them all.
  size_t direct_limit = 0;
  if (rows <= kFastRows) direct_limit = std::min(kDirectSlots, 2 * rows / (2 + nbands + 2 * nmeasures));
  std::vector<BlockRows> in;
  for (size_t b = 0; b < builders.size(); ++b) {
    if (builders[b]->state_->program != &p) throw std::invalid_argument("roll-up: builders of different programs");
    const ir::Rollup& r = p.rollups[builders[b]->state_->rollup];
    Groups& g = out.emplace_back(std::make_unique<Partial>())->groups;
    g.nbands = nbands;
    g.nmeasures = nmeasures;
    const Numbering n =
        group_rows(p, r, block, direct_limit, scratch.values, scratch.group[b], scratch.code, scratch.text_id);
    std::vector<uint32_t>& of = scratch.slot_group[b];
    if (n.direct) {
      of.assign(n.slots, kNone);
    } else {
      of.resize(n.slots);
      std::vector<std::optional<std::string>> key;
      for (uint32_t k = 0; k < n.slots; ++k) {
        of[k] = g.add_group();
        key.clear();
        for (int32_t f : r.by) {
          const std::optional<std::string_view> v = by_value(p, block, f, n.first[k]);
          key.push_back(v ? std::optional<std::string>(std::string(*v)) : std::nullopt);
        }
        g.keys.emplace_back();
        encode_key(key, g.keys.back());
      }
    }
    in.push_back({&r, n.slot, n.slots, r.weight, &g, &of});
  }
  const std::vector<rt::TextRef>* keys = nullptr;
  if (p.key_field >= 0 && static_cast<size_t>(p.key_field) < block.text.size()) keys = &block.text[p.key_field];
  add_rows(p, block, scores, keys, in, scratch);
  return out;
}

void RollupBuilder::merge(std::unique_ptr<Partial> block_partial) {
  if (!block_partial) return;
  Groups& g = state_->groups;
  const Groups& in = block_partial->groups;
  g.nbands = in.nbands;
  g.nmeasures = in.nmeasures;
  // In the order the block met its groups, so a new group's first account comes first.
  std::vector<uint32_t> into(in.size());  // the block's group -> the builder's
  for (uint32_t i = 0; i < in.size(); ++i) {
    auto [it, added] = g.index.try_emplace(in.keys[i], static_cast<uint32_t>(g.size()));
    if (added) {
      g.add_group();
      g.key_of.push_back(&it->first);
    }
    g.merge(it->second, in, i);
    into[i] = it->second;
  }
  for (const Groups::BlockSet& b : in.block_sets)
    g.add_set_weight(into[b.group], b.set, [&](CompactSum& dest) { g.pool.add(dest, b.weight, in.pool); });
}

namespace {

std::string group_name(const RollupTable& t, const RollupGroup& g) {
  std::string out;
  for (size_t i = 0; i < t.by.size() && i < g.key.size(); ++i)
    out += (i ? ", " : "") + t.by[i] + " = " + (g.key[i] ? "\"" + *g.key[i] + "\"" : std::string("missing"));
  return out;
}

}  // namespace

RollupTable RollupBuilder::finish() const {
  const ir::Program& p = *state_->program;
  const ir::Rollup& r = p.rollups[state_->rollup];
  RollupTable t;
  t.name = r.name;
  t.title = r.title;
  for (int32_t f : r.by) t.by.push_back(p.fields[f].name);
  if (r.weight >= 0) t.weight = p.fields[r.weight].name;
  for (const ir::Band& b : p.bands) t.bands.push_back(b.name);
  for (const ir::Measure& m : p.measures) t.measures.push_back(m.name);
  const Groups& g = state_->groups;
  std::vector<std::vector<std::optional<std::string>>> keys;
  keys.reserve(g.size());
  for (const std::string* k : g.key_of) keys.push_back(decode_key(*k));
  std::vector<uint32_t> order(g.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return key_less(keys[a], keys[b]); });
  const size_t nbands = t.bands.size(), nmeasures = t.measures.size();
  t.groups.reserve(order.size());
  for (uint32_t i : order) {
    RollupGroup out;
    out.key = std::move(keys[i]);
    out.accounts = g.count(i, 0);
    out.scored = g.count(i, 1);
    out.unscored = out.accounts - out.scored;
    // Unscored where no scored account weighs anything.
    ExactSum weight;
    for (size_t b = 0; b < nbands; ++b) weight.add(g.pool.exact(g.sum(i, 1 + b)));
    if (!weight.is_zero()) {
      const double mean = ExactSum::ratio(g.pool.exact(g.sum(i, 0)), weight);
      out.score = static_cast<int32_t>(std::clamp(ir::round_score(mean), 0.0, 100.0));
    }
    out.band = ir::band_of_score(p, out.score);
    out.min_score = g.min_score[i];
    out.min_account = g.min_account[i];
    for (size_t b = 0; b < nbands; ++b) {
      out.band_accounts.push_back(g.count(i, 2 + b));
      out.band_weight.push_back(g.pool.exact(g.sum(i, 1 + b)).value());
      // A weight sum past the largest number has no figure to print or store.
      if (!std::isfinite(out.band_weight.back()))
        throw std::runtime_error("roll-up `" + t.name + "`, group " + group_name(t, out) + ": the " + t.bands[b] +
                                 "_weight sum is past the largest number (" + t.weight + " too large)");
    }
    for (size_t m = 0; m < nmeasures; ++m)
      out.measure_score.push_back(ExactSum::ratio(g.pool.exact(g.sum(i, 1 + nbands + m)), g.weight_of_measure(i, m)));
    t.groups.push_back(std::move(out));
  }
  return t;
}

void set_score_changes(RollupTable& now, const RollupTable* previous) {
  for (RollupGroup& g : now.groups) g.score_change.reset();
  // A roll-up by other fields under the same name has no "same group" to compare with.
  if (!previous || previous->by != now.by) return;
  // By key, whatever order the previous table's groups come in (one read back from a store).
  std::map<std::vector<std::optional<std::string>>, int32_t> before;
  for (const RollupGroup& g : previous->groups) before.emplace(g.key, g.score);
  for (RollupGroup& g : now.groups) {
    auto it = before.find(g.key);
    if (it == before.end() || ir::is_unscored_score(g.score) || ir::is_unscored_score(it->second)) continue;
    g.score_change = g.score - it->second;
  }
}

std::string rollup_csv(const RollupTable& t, bool with_change) {
  std::string out;
  auto cell = [&](std::string_view s, bool first = false) {
    if (!first) out += ',';
    rt::append_csv(out, s);
  };
  auto number = [&](double v) {
    out += ',';
    if (!std::isnan(v)) rt::append_number(out, v);
  };
  for (size_t i = 0; i < t.by.size(); ++i) cell(t.by[i], i == 0);
  for (const char* c : {"accounts", "scored", "unscored", "score", "band", "min_score", "min_account"}) cell(c);
  for (const std::string& b : t.bands) {
    cell(b + "_accounts");
    cell(b + "_weight");
  }
  for (const std::string& m : t.measures) cell(m + "_score");
  if (with_change) cell("score_change");
  out += '\n';
  for (const RollupGroup& g : t.groups) {
    for (size_t i = 0; i < g.key.size(); ++i) cell(g.key[i] ? std::string_view(*g.key[i]) : std::string_view(), i == 0);
    out += ',' + std::to_string(g.accounts) + ',' + std::to_string(g.scored) + ',' + std::to_string(g.unscored) + ',';
    if (!ir::is_unscored_score(g.score)) out += std::to_string(g.score);
    cell(g.band >= 0 && static_cast<size_t>(g.band) < t.bands.size() ? std::string_view(t.bands[g.band])
                                                                    : ir::kUnscoredBandName);
    out += ',';
    if (!ir::is_unscored_score(g.min_score)) out += std::to_string(g.min_score);
    cell(g.min_account);
    for (size_t b = 0; b < t.bands.size(); ++b) {
      out += ',' + std::to_string(b < g.band_accounts.size() ? g.band_accounts[b] : 0);
      number(b < g.band_weight.size() ? g.band_weight[b] : 0.0);
    }
    for (size_t m = 0; m < t.measures.size(); ++m)
      number(m < g.measure_score.size() ? g.measure_score[m] : std::numeric_limits<double>::quiet_NaN());
    if (with_change) {
      out += ',';
      if (g.score_change) out += std::to_string(*g.score_change);
    }
    out += '\n';
  }
  return out;
}

}  // namespace healthc::analysis
