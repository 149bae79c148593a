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

// Each row's group within a block, as a dense number 0..k-1 in the order groups are first met: each
// `by` value is numbered (enum members and bools by value, texts through a dictionary of the
// block), the numbers combined field by field and renumbered densely whenever the combination
// outgrows 32 bits. `first` gets each group's first row. `group` gets the groups; `code` and `id`
// are the caller's buffers, reused from block to block.
void group_rows(const ir::Program& p, const ir::Rollup& r, const rt::ColumnBlock& block, std::vector<size_t>& first,
                std::vector<uint32_t>& group, std::vector<uint64_t>& code, std::vector<uint32_t>& id) {
  const size_t rows = block.rows;
  code.resize(rows);  // the first field sets every row's code (the verifier refuses a roll-up without one)
  if (r.by.empty()) code.assign(rows, 0);
  uint64_t codes = 1;
  bool first_field = true;
  auto densify = [&] {
    std::unordered_map<uint64_t, uint32_t> dense;
    for (uint64_t& c : code) c = dense.try_emplace(c, static_cast<uint32_t>(dense.size())).first->second;
    codes = std::max<uint64_t>(dense.size(), 1);
  };
  // codes < 2^32 before a field and card <= rows + 1, so neither the codes nor their count
  // overflow.
  for (int32_t f : r.by) {
    const ir::Field& field = p.fields[f];
    const uint8_t* valid = block.valid[f].data();
    uint64_t card = 0;
    if (field.type == ir::FieldType::Text) {
      std::unordered_map<std::string_view, uint32_t> dict;
      const rt::TextRef* text = block.text[f].data();
      id.resize(rows);  // the card is known once every row is numbered
      for (size_t row = 0; row < rows; ++row)
        id[row] =
            valid[row] ? dict.try_emplace(text[row].view(), static_cast<uint32_t>(dict.size() + 1)).first->second : 0;
      card = dict.size() + 1;
      for (size_t row = 0; row < rows; ++row) code[row] = (first_field ? 0 : code[row] * card) + id[row];
    } else {
      const double* num = block.num[f].data();
      const bool is_bool = field.type == ir::FieldType::Bool;
      card = is_bool ? 3 : field.members.size() + 1;
      // 0: missing (or no member); a bool 1 false, 2 true; a member its index + 1.
      const double limit = static_cast<double>(card - 1);
      auto number = [&](auto first) {
        for (size_t row = 0; row < rows; ++row) {
          const double v = num[row];
          const bool present = valid[row] != 0 && (is_bool || (v >= 0 && v < limit));
          const double id = !present ? 0.0 : is_bool ? (v != 0 ? 2.0 : 1.0) : v + 1.0;
          if constexpr (first) code[row] = static_cast<uint32_t>(id);
          else code[row] = code[row] * card + static_cast<uint32_t>(id);
        }
      };
      if (first_field) number(std::true_type{});
      else number(std::false_type{});
    }
    first_field = false;
    codes *= card;
    if (codes >= (uint64_t{1} << 32)) densify();
  }
  group.resize(rows);
  first.clear();
  auto note = [&](uint32_t& slot, size_t row) {
    if (slot == UINT32_MAX) {
      slot = static_cast<uint32_t>(first.size());
      first.push_back(row);
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
}

// Integer weights (seats; every account weighing 1 without a weight field) take a block-local path
// of plain 128-bit integers: a row adds its weight and weight x score with one integer add each, its
// measures' weights with one add (FastSums), and weight x measure score in fixed point: a
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

// One measure's scores over a block's rows in fixed point: fixed[row] is the score in units of
// 2^-57 where the measure counts for the row (scored, and in the account's model) and the score is
// in [2^-5, 2^7), 0 elsewhere; counts[row] is 1 where it counts. True where some row counts with a
// score the fixed point does not hold (below 2^-5 but not 0; anything not in 0..128). Integer work
// only, so the AVX2 path gives the same words as this loop.
__attribute__((always_inline)) inline bool fixed_terms(const double* score, const uint8_t* score_valid,
                                                       const uint8_t* weight_valid, size_t rows, uint64_t* fixed,
                                                       uint8_t* counts) {
  uint64_t other = 0;
  for (size_t row = 0; row < rows; ++row) {
    const uint64_t c = static_cast<uint64_t>(score_valid[row] != 0) & static_cast<uint64_t>(weight_valid[row] != 0);
    const uint64_t bits = std::bit_cast<uint64_t>(score[row]);
    const uint64_t shift = (bits >> 52) - kFixedLowBiased;  // wraps below 2^-5; a sign bit: large
    const uint64_t mantissa = (bits & ((uint64_t{1} << 52) - 1)) | uint64_t{1} << 52;
    const uint64_t in = shift < kFixedBinades;
    fixed[row] = (mantissa << (shift & 15)) & -(in & c);
    counts[row] = static_cast<uint8_t>(c);
    other |= c & (in ^ 1) & (bits != 0);
  }
  return other != 0;
}

bool fixed_terms_scalar(const double* score, const uint8_t* score_valid, const uint8_t* weight_valid, size_t rows,
                        uint64_t* fixed, uint8_t* counts) {
  return fixed_terms(score, score_valid, weight_valid, rows, fixed, counts);
}

#if defined(__x86_64__)
// fixed_terms four rows at a time. A lane's shift below 0 or above 63 shifts the mantissa out
// (vpsllvq gives 0); a shift of 12..63 gives bits that `in` masks off, as in the scalar loop.
__attribute__((target("avx2"))) bool fixed_terms_avx2(const double* score, const uint8_t* score_valid,
                                                      const uint8_t* weight_valid, size_t rows, uint64_t* fixed,
                                                      uint8_t* counts) {
  const __m256i zero = _mm256_setzero_si256(), low = _mm256_set1_epi64x(kFixedLowBiased),
                binades = _mm256_set1_epi64x(kFixedBinades), fraction = _mm256_set1_epi64x((int64_t{1} << 52) - 1),
                implicit = _mm256_set1_epi64x(int64_t{1} << 52);
  const __m128i zero8 = _mm_setzero_si128(), one8 = _mm_set1_epi8(1);
  __m256i other = zero;
  size_t row = 0;
  for (; row + 4 <= rows; row += 4) {
    const __m256i bits = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(score + row));
    const __m256i shift = _mm256_sub_epi64(_mm256_srli_epi64(bits, 52), low);  // -1018..3077
    const __m256i in = _mm256_andnot_si256(_mm256_cmpgt_epi64(zero, shift), _mm256_cmpgt_epi64(binades, shift));
    uint32_t sv, wv;
    std::memcpy(&sv, score_valid + row, 4);
    std::memcpy(&wv, weight_valid + row, 4);
    const __m128i c8 = _mm_andnot_si128(_mm_or_si128(_mm_cmpeq_epi8(_mm_cvtsi32_si128(static_cast<int>(sv)), zero8),
                                                     _mm_cmpeq_epi8(_mm_cvtsi32_si128(static_cast<int>(wv)), zero8)),
                                        one8);
    const int c4 = _mm_cvtsi128_si32(c8);
    std::memcpy(counts + row, &c4, 4);
    const __m256i c = _mm256_sub_epi64(zero, _mm256_cvtepu8_epi64(c8));  // 0 or all ones
    const __m256i mantissa = _mm256_or_si256(_mm256_and_si256(bits, fraction), implicit);
    const __m256i term = _mm256_and_si256(_mm256_sllv_epi64(mantissa, shift), _mm256_and_si256(in, c));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(fixed + row), term);
    other = _mm256_or_si256(other, _mm256_andnot_si256(in, _mm256_andnot_si256(_mm256_cmpeq_epi64(bits, zero), c)));
  }
  const bool rest =
      fixed_terms(score + row, score_valid + row, weight_valid + row, rows - row, fixed + row, counts + row);
  return rest || !_mm256_testz_si256(other, other);
}
bool have_avx2() {
  static const bool yes = __builtin_cpu_supports("avx2");
  return yes;
}
#else
bool have_avx2() { return false; }
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

using FixedTermsFn = bool (*)(const double*, const uint8_t*, const uint8_t*, size_t, uint64_t*, uint8_t*);

FixedTermsFn fixed_terms_fn(bool avx2) {
#if defined(__x86_64__)
  if (avx2 && have_avx2()) return fixed_terms_avx2;
#endif
  (void)avx2;
  return fixed_terms_scalar;
}

// One roll-up's rows of a block: each row's group (`groups` of them in the block), the weight field
// (< 0: none), and the sums they go to.
struct BlockRows {
  const std::vector<uint32_t>* group;
  size_t groups;
  int32_t weight;
  Groups* g;
};

// One roll-up's block-local integers: per group weight x score, each band's weight, the rows in no
// band, then each measure's weight x score in fixed point (`acc`, fstride a group); each measure's
// weight (`measure_weight`, below 2^40 x 2^21; without a weight field the count of rows, kept in
// the fixed-point sums' bits from kCountShift up); [row] the row's integer weight, 0 where it
// weighs nothing or took the exact sums. With few groups, consecutive rows mostly land in the same
// group, and each add would wait for the one before it: the integers are kept in kCopies copies
// (row i adds to copy i % kCopies), summed when they are folded in.
constexpr size_t kCopies = 4;
// Counts kept in the high bits of the block's 128-bit sums: below 2^21 rows, above sums below 2^96.
constexpr int kCountShift = 96;
constexpr unsigned __int128 kOne = static_cast<unsigned __int128>(1) << kCountShift;
constexpr size_t kCopiesUpTo = 64;  // groups
// A weighted roll-up over few measures adds a row's weight once, to its group's entry for the set
// of measures that counted for the row (`set_weight`, [copy][group][set], kMaxSetMeasures measures
// at most), not once per measure; the sets are spread over their measures when folded.
constexpr size_t kMaxSetMeasures = 8;
struct FastSums {
  using U128 = unsigned __int128;
  BlockRows in;
  size_t fstride = 0;
  size_t copies = 1;
  std::vector<U128> acc;
  std::vector<uint64_t> measure_weight;
  std::vector<uint64_t> set_weight;
  std::vector<uint64_t> fast_w;
  std::vector<uint32_t> offset;  // [row of the tile] its group's first sum in `acc`
};

// What a worker thread's blocks reuse: a block's buffers, some hundreds of KB, would otherwise be
// given back to the system when freed and fault in again on the next block.
struct Scratch {
  std::vector<uint64_t> code;
  std::vector<uint32_t> text_id;
  std::vector<std::vector<uint32_t>> group;  // [roll-up]
  std::vector<FastSums> fast;
  size_t nfast = 0;
};

// Adds a block's rows to the groups of each roll-up in `rollups`, in one pass over the measure
// scores: a tile of a measure's scores is put in fixed point once (fixed_terms) and added to every
// roll-up's groups while it is in the cache.
void add_rows(const rt::ColumnBlock& block, const BlockScores& scores, const std::vector<rt::TextRef>* keys,
              const std::vector<BlockRows>& rollups, Scratch& scratch) {
  using U128 = unsigned __int128;
  const size_t rows = block.rows;
  scratch.nfast = 0;
  for (const BlockRows& r : rollups) {
    Groups& g = *r.g;
    const size_t nbands = g.nbands, nmeasures = g.nmeasures;
    const std::vector<uint32_t>& group = *r.group;
    // Only where the block's groups are few enough that zeroing and folding the integers costs
    // little beside the rows (a roll-up by account key takes the exact sums directly).
    const size_t fstride = 2 + nbands + nmeasures;
    if (rows > kFastRows || r.groups * (fstride + nmeasures) > 2 * rows) {
      for (size_t row = 0; row < rows; ++row) add_row(block, scores, group[row], row, keys, r.weight, g);
      continue;
    }
    if (scratch.nfast == scratch.fast.size()) scratch.fast.emplace_back();
    FastSums& f = scratch.fast[scratch.nfast++];
    f.in = r;
    f.fstride = fstride;
    f.copies = r.groups <= kCopiesUpTo ? kCopies : 1;
    f.acc.assign(f.copies * r.groups * fstride, 0);
    f.set_weight.clear();
    f.measure_weight.clear();
    if (r.weight >= 0 && nmeasures <= kMaxSetMeasures && r.groups << nmeasures <= rows / 4)
      f.set_weight.assign(f.copies * (r.groups << nmeasures), 0);
    else if (r.weight >= 0)
      f.measure_weight.assign(f.copies * r.groups * nmeasures, 0);
    f.fast_w.resize(rows);
    // The weights first, in a loop without branches: an integer below 2^40 (a missing or negative
    // weight weighs 0), or 0 and `exact` where the row takes the exact sums (integer_weight).
    bool any_exact = false;
    if (r.weight < 0) {
      std::fill(f.fast_w.begin(), f.fast_w.end(), 1);
    } else {
      const double* x = block.num[r.weight].data();
      const uint8_t* present = block.valid[r.weight].data();
      uint64_t* w = f.fast_w.data();
      uint8_t exact = 0;
      for (size_t row = 0; row < rows; ++row) {
        const double v = present[row] != 0 && x[row] > 0 ? x[row] : 0.0;  // NaN: not above 0
        const bool small = v < kFastWeightLimit;
        const auto whole = static_cast<int64_t>(small ? v : 0.0);
        const bool integer = small && static_cast<double>(whole) == v;
        w[row] = integer ? static_cast<uint64_t>(whole) : 0;
        exact |= static_cast<uint8_t>(!integer);
      }
      any_exact = exact != 0;
    }
    const size_t copy_mask = f.copies - 1, copy_stride = r.groups * fstride;
    const uint32_t* groups_of = group.data();
    const uint64_t* fast_w = f.fast_w.data();
    const int32_t* band_of = scores.band.data();
    const int32_t* score_of = scores.score.data();
    U128* acc = f.acc.data();
    for (size_t row = 0; row < rows; ++row) {
      const uint32_t k = groups_of[row];
      const uint64_t w = fast_w[row];
      if (any_exact && w == 0) {
        uint64_t check;
        if (!integer_weight(block, r.weight, row, check)) {
          add_row(block, scores, k, row, keys, r.weight, g);
          continue;
        }
      }
      U128* a = &acc[(row & copy_mask) * copy_stride + k * fstride];
      // The counts ride above the sums (kCountShift): an account in its band's slot, or in the
      // no-band slot; a scored one in the score's. A score of 0..100 times w stays below 2^47.
      const int32_t band = band_of[row];
      a[band >= 0 && static_cast<size_t>(band) < nbands ? 1 + band : 1 + nbands] += w | kOne;
      const int32_t score = score_of[row];
      const bool scored = !ir::is_unscored_score(score);
      a[0] += (w * static_cast<uint32_t>(scored ? score : 0)) | static_cast<U128>(scored) << kCountShift;
      if (scored) {
        if (g.min_score[k] < 0 || score < g.min_score[k]) {
          g.min_score[k] = score;
          g.min_account[k] = keys ? std::string((*keys)[row].view()) : std::string();
        }
      }
    }
  }
  const std::span<FastSums> fast(scratch.fast.data(), scratch.nfast);
  if (fast.empty()) return;
  // A tile of rows at a time (its groups and weights stay in the cache), measure by measure: the
  // tile's scores in fixed point, then each row's term into its group. Without a weight field every
  // row weighs 1: no weight to read or multiply by.
  const size_t nbands = fast[0].in.g->nbands, nmeasures = fast[0].in.g->nmeasures;
  constexpr size_t kTile = 1024;
  const FixedTermsFn terms = fixed_terms_fn(true);
  uint64_t fixed[kTile];
  uint8_t counts[kTile];
  uint8_t sets[kTile];  // [row of the tile] the measures that counted for it, as bits
  bool any_sets = false;
  for (FastSums& f : fast) {
    f.offset.resize(kTile);
    any_sets |= !f.set_weight.empty();
  }
  for (size_t t = 0; t < rows; t += kTile) {
    const size_t n = std::min(kTile, rows - t);
    for (FastSums& f : fast)
      for (size_t i = 0; i < n; ++i) f.offset[i] = static_cast<uint32_t>((*f.in.group)[t + i] * f.fstride);
    if (any_sets) std::memset(sets, 0, n);
    for (size_t m = 0; m < nmeasures; ++m) {
      const size_t at = m * rows + t;
      const double* score = &scores.m_score[at];
      const bool others = terms(score, &scores.m_score_valid[at], &scores.m_weight_valid[at], n, fixed, counts);
      if (any_sets)
        for (size_t i = 0; i < n; ++i) sets[i] |= static_cast<uint8_t>(counts[i] << m);
      for (FastSums& f : fast) {
        const uint32_t* offset = f.offset.data();
        // Copy c of M's sums; t is a multiple of kTile, so row t + i goes to copy i % copies.
        U128* sum[kCopies];
        uint64_t* mw[kCopies];
        for (size_t c = 0; c < kCopies; ++c) {
          const size_t copy = f.copies == 1 ? 0 : c;
          sum[c] = &f.acc[copy * f.in.groups * f.fstride + 2 + nbands + m];
          mw[c] = f.measure_weight.empty() ? nullptr : &f.measure_weight[copy * f.in.groups * nmeasures + m];
        }
        const uint32_t* group = f.in.group->data() + t;
        const uint64_t* fast_w = f.fast_w.data() + t;
        auto add = [&](auto weighted, auto per_measure, size_t i, size_t c) {
          if constexpr (weighted) {
            sum[c][offset[i]] += static_cast<U128>(fast_w[i]) * fixed[i];
            if constexpr (per_measure) mw[c][group[i] * nmeasures] += fast_w[i] & -static_cast<uint64_t>(counts[i]);
          } else {
            // The count rides above the sum: below 2^21 x 2^64 = 2^85, so bits 96 up are free.
            sum[c][offset[i]] += fixed[i] | static_cast<U128>(counts[i]) << kCountShift;
          }
        };
        auto add_tile = [&](auto weighted, auto per_measure) {
          size_t i = 0;
          for (; i + kCopies <= n; i += kCopies)
            for (size_t c = 0; c < kCopies; ++c) add(weighted, per_measure, i + c, c);
          for (; i < n; ++i) add(weighted, per_measure, i, i % kCopies);
        };
        if (f.in.weight < 0)
          add_tile(std::false_type{}, std::false_type{});
        else if (f.set_weight.empty())
          add_tile(std::true_type{}, std::true_type{});
        else
          add_tile(std::true_type{}, std::false_type{});
        if (!others) continue;
        // The scores the fixed point does not hold, through the exact sums.
        for (size_t i = 0; i < n; ++i) {
          const uint64_t w = f.in.weight >= 0 ? fast_w[i] : 1;
          if (!counts[i] || fixed[i] != 0 || w == 0) continue;
          uint64_t sm;
          int se;
          ExactSum::decompose(score[i], sm, se);
          if (sm != 0) f.in.g->pool.add_bits(f.in.g->sum(group[i], 1 + nbands + m), static_cast<U128>(w) * sm, se);
        }
      }
    }
    // Each row's weight once, to its group's set of counted measures.
    for (FastSums& f : fast) {
      if (f.set_weight.empty()) continue;
      const uint32_t* group = f.in.group->data() + t;
      const uint64_t* fast_w = f.fast_w.data() + t;
      const size_t copy_stride = f.copies == 1 ? 0 : f.in.groups << nmeasures;
      for (size_t i = 0; i < n; ++i)
        f.set_weight[(i % kCopies) * copy_stride + (group[i] << nmeasures) + sets[i]] += fast_w[i];
    }
  }
  // The copies' sum is the sum over the block's rows, so it keeps the block's bounds.
  for (FastSums& f : fast) {
    Groups& g = *f.in.g;
    const size_t groups = f.in.groups;
    for (size_t c = 1; c < f.copies; ++c) {
      for (size_t i = 0; i < groups * f.fstride; ++i) f.acc[i] += f.acc[c * groups * f.fstride + i];
      for (size_t i = 0; i < f.measure_weight.size() / f.copies; ++i)
        f.measure_weight[i] += f.measure_weight[c * groups * nmeasures + i];
      for (size_t i = 0; i < f.set_weight.size() / f.copies; ++i)
        f.set_weight[i] += f.set_weight[c * (groups << nmeasures) + i];
    }
    if (!f.set_weight.empty()) {  // the sets' weights spread over their measures
      f.measure_weight.assign(groups * nmeasures, 0);
      for (size_t k = 0; k < groups; ++k)
        for (size_t set = 1; set < size_t{1} << nmeasures; ++set)
          if (const uint64_t w = f.set_weight[(k << nmeasures) + set])
            for (size_t m = 0; m < nmeasures; ++m)
              if (set >> m & 1) f.measure_weight[k * nmeasures + m] += w;
    }
    constexpr U128 kLow = (U128{1} << kCountShift) - 1;
    for (uint32_t k = 0; k < groups; ++k) {
      const U128* a = &f.acc[k * f.fstride];
      g.count(k, 1) += static_cast<int64_t>(a[0] >> kCountShift);
      for (size_t b = 0; b <= nbands; ++b) {
        const auto n = static_cast<int64_t>(a[1 + b] >> kCountShift);
        g.count(k, 0) += n;
        if (b < nbands) g.count(k, 2 + b) += n;
      }
      for (size_t i = 0; i < 1 + nbands; ++i)
        if (const U128 v = a[i] & kLow) g.pool.add_bits(g.sum(k, i), v, 0);
      for (size_t m = 0; m < nmeasures; ++m) {
        U128 ms = a[2 + nbands + m];
        uint64_t mw;
        if (f.in.weight >= 0) {
          mw = f.measure_weight[k * nmeasures + m];
        } else {  // every row weighs 1: the count is the weight
          mw = static_cast<uint64_t>(ms >> kCountShift);
          ms &= kLow;
        }
        if (mw) g.pool.add_bits(g.measure_weight[g.to_per_measure(k) + m], mw, 0);
        if (ms) g.pool.add_bits(g.sum(k, 1 + nbands + m), ms, kFixedUnit);
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
                        size_t rows, uint64_t* fixed, uint8_t* counts) {
  return fixed_terms_fn(avx2)(score, score_valid, weight_valid, rows, fixed, counts);
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
  const size_t nmeasures = p.measures.size(), rows = block.rows;
  if (scores.rows != rows) throw std::invalid_argument("roll-up: the scores are not the block's");
  if (!scores.detail && nmeasures > 0) throw std::invalid_argument("roll-ups need detail scores (measure scores)");
  static thread_local Scratch scratch;
  std::vector<std::vector<uint32_t>>& groups = scratch.group;
  if (groups.size() < builders.size()) groups.resize(builders.size());
  std::vector<BlockRows> in;
  for (size_t b = 0; b < builders.size(); ++b) {
    if (builders[b]->state_->program != &p) throw std::invalid_argument("roll-up: builders of different programs");
    const ir::Rollup& r = p.rollups[builders[b]->state_->rollup];
    Groups& g = out.emplace_back(std::make_unique<Partial>())->groups;
    g.nbands = p.bands.size();
    g.nmeasures = nmeasures;
    std::vector<size_t> first;
    group_rows(p, r, block, first, groups[b], scratch.code, scratch.text_id);
    std::vector<std::optional<std::string>> key;
    for (size_t row : first) {
      g.add_group();
      key.clear();
      for (int32_t f : r.by) {
        const std::optional<std::string_view> v = by_value(p, block, f, row);
        key.push_back(v ? std::optional<std::string>(std::string(*v)) : std::nullopt);
      }
      g.keys.emplace_back();
      encode_key(key, g.keys.back());
    }
    in.push_back({&groups[b], first.size(), r.weight, &g});
  }
  const std::vector<rt::TextRef>* keys = nullptr;
  if (p.key_field >= 0 && static_cast<size_t>(p.key_field) < block.text.size()) keys = &block.text[p.key_field];
  add_rows(block, scores, keys, in, scratch);
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
