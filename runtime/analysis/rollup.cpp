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
#include <stdexcept>
#include <type_traits>
#include <unordered_map>

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

// Each row's group within a block, as a dense number 0..k-1 in the order groups are first met:
// each `by` value is numbered (enum members and bools by value, texts through a dictionary of
// the block), the numbers combined field by field and renumbered densely whenever the
// combination outgrows 32 bits. `first` gets each group's first row.
std::vector<uint32_t> group_rows(const ir::Program& p, const ir::Rollup& r, const rt::ColumnBlock& block,
                                 std::vector<size_t>& first) {
  const size_t rows = block.rows;
  std::vector<uint64_t> code(rows, 0);
  uint64_t codes = 1;
  std::vector<uint32_t> id(rows);
  auto densify = [&] {
    std::unordered_map<uint64_t, uint32_t> dense;
    for (uint64_t& c : code) c = dense.try_emplace(c, static_cast<uint32_t>(dense.size())).first->second;
    codes = std::max<uint64_t>(dense.size(), 1);
  };
  for (int32_t f : r.by) {
    const ir::Field& field = p.fields[f];
    const std::vector<uint8_t>& valid = block.valid[f];
    uint64_t card = 0;
    if (field.type == ir::FieldType::Text) {
      std::unordered_map<std::string_view, uint32_t> dict;
      for (size_t row = 0; row < rows; ++row)
        id[row] = valid[row] ? dict.try_emplace(block.text[f][row].view(), static_cast<uint32_t>(dict.size() + 1))
                                   .first->second
                             : 0;
      card = dict.size() + 1;
    } else {
      const std::vector<double>& num = block.num[f];
      card = field.type == ir::FieldType::Bool ? 3 : field.members.size() + 1;
      for (size_t row = 0; row < rows; ++row) {
        const double v = num[row];
        id[row] = !valid[row] ? 0 : field.type == ir::FieldType::Bool ? (v != 0 ? 2 : 1)
                  : v >= 0 && v < static_cast<double>(card - 1) ? static_cast<uint32_t>(v) + 1
                                                                : 0;
      }
    }
    // codes < 2^32 here and card <= rows + 1, so neither the codes nor their count overflow.
    for (size_t row = 0; row < rows; ++row) code[row] = code[row] * card + id[row];
    codes *= card;
    if (codes >= (uint64_t{1} << 32)) densify();
  }
  std::vector<uint32_t> group(rows);
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
  return group;
}

// Integer weights (seats; every account weighing 1 without a weight field) take a block-local
// path of plain 128-bit integers: a row adds its weight and weight x score with one integer add
// each, a measure's weight per measure (no set to look up), and weight x measure score to the
// sum of the score's binade, where every term has the same exponent (a measure score is 0..100;
// a score below the lowest binade, and any other term, goes to the exact sums as before). The
// integers are folded into the exact sums once per block: exact either way, so the figures do
// not depend on which rows took which path. Bounds: a weight and a score mantissa are below
// 2^53, so a term is below 2^106 and a block of at most kFastRows rows sums below 2^127.
constexpr int kBins = 12;                  // binades of [2^(6-j), 2^(7-j)): 64..128 down to 1/32..1/16
constexpr int kTopBiased = 1023 + 6;       // the biased exponent of bin 0
constexpr size_t kFastRows = size_t{1} << 21;
constexpr double kIntegerLimit = 9007199254740992.0;  // 2^53

// The weight of a row: its `weight` cell (missing or negative: 0), or 1 without a weight field
// (weight < 0). True where it is an integer below 2^53 (`w` set), false where it is not.
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
  if (!(x < kIntegerLimit)) return false;
  w = static_cast<uint64_t>(x);
  return static_cast<double>(w) == x;
}

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

// Adds a block's rows to their groups (`groups` of them in the block).
void add_rows(const rt::ColumnBlock& block, const BlockScores& scores, const std::vector<uint32_t>& group,
              size_t groups, const std::vector<rt::TextRef>* keys, int32_t weight, Groups& g) {
  const size_t rows = block.rows, nbands = g.nbands, nmeasures = g.nmeasures;
  // Per group: weight x score, each band's weight, each measure's weight, then each measure's
  // kBins binade sums. Only where the block's groups are few enough that zeroing and folding
  // them costs little beside the rows (a roll-up by account key takes the exact sums directly).
  const size_t fstride = 1 + nbands + nmeasures + nmeasures * kBins;
  if (rows > kFastRows || groups * fstride > 2 * rows) {
    for (size_t row = 0; row < rows; ++row) add_row(block, scores, group[row], row, keys, weight, g);
    return;
  }
  using U128 = unsigned __int128;
  std::vector<U128> acc(groups * fstride, 0);
  // [row] the row's integer weight; 0 where it weighs nothing or took the exact sums.
  std::vector<uint64_t> fast_w(rows);
  for (size_t row = 0; row < rows; ++row) {
    const uint32_t k = group[row];
    uint64_t w;
    if (!integer_weight(block, weight, row, w)) {
      fast_w[row] = 0;
      add_row(block, scores, k, row, keys, weight, g);
      continue;
    }
    fast_w[row] = w;
    U128* a = &acc[k * fstride];
    ++g.count(k, 0);
    const int32_t band = scores.band[row];
    if (band >= 0 && static_cast<size_t>(band) < nbands) {
      ++g.count(k, 2 + band);
      a[1 + band] += w;
    }
    const int32_t score = scores.score[row];
    if (!ir::is_unscored_score(score)) {
      ++g.count(k, 1);
      a[0] += static_cast<U128>(w) * static_cast<uint32_t>(score);
      if (g.min_score[k] < 0 || score < g.min_score[k]) {
        g.min_score[k] = score;
        g.min_account[k] = keys ? std::string((*keys)[row].view()) : std::string();
      }
    }
  }
  // Measure by measure: M counts where it is scored and in the account's model. Without a weight
  // field every row weighs 1 and takes this path: no weight to read or multiply by.
  auto add_measures = [&](auto weighted) {
    for (size_t m = 0; m < nmeasures; ++m) {
      const uint8_t* score_valid = &scores.m_score_valid[m * rows];
      const uint8_t* weight_valid = &scores.m_weight_valid[m * rows];
      const double* score = &scores.m_score[m * rows];
      // at: M's weight in `acc`, M's weight x score in the group's sums.
      const size_t at = 1 + nbands + m, bins_at = 1 + nbands + nmeasures + m * kBins;
      for (size_t row = 0; row < rows; ++row) {
        uint64_t w = 1;
        if constexpr (weighted) {
          w = fast_w[row];
          if (w == 0) continue;
        }
        if (!(score_valid[row] & weight_valid[row])) continue;
        U128* a = &acc[group[row] * fstride];
        a[at] += w;
        const uint64_t bits = std::bit_cast<uint64_t>(score[row]);
        const auto bin = static_cast<uint64_t>(kTopBiased) - (bits >> 52);  // wraps above bin 0
        const uint64_t mantissa = (bits & ((uint64_t{1} << 52) - 1)) | uint64_t{1} << 52;
        if (bin < kBins) {
          if constexpr (weighted) a[bins_at + bin] += static_cast<U128>(w) * mantissa;
          else a[bins_at + bin] += mantissa;
        } else if (bits != 0) {
          uint64_t sm;
          int se;
          ExactSum::decompose(score[row], sm, se);
          if (sm != 0) g.pool.add_bits(g.sum(group[row], at), static_cast<U128>(w) * sm, se);
        }
      }
    }
  };
  if (weight >= 0) add_measures(std::true_type{});
  else add_measures(std::false_type{});
  // The block's integers into its exact sums.
  for (uint32_t k = 0; k < groups; ++k) {
    const U128* a = &acc[k * fstride];
    for (size_t i = 0; i < 1 + nbands; ++i)
      if (a[i]) g.pool.add_bits(g.sum(k, i), a[i], 0);
    for (size_t m = 0; m < nmeasures; ++m) {
      const size_t at = 1 + nbands + m;
      if (a[at]) g.pool.add_bits(g.measure_weight[g.to_per_measure(k) + m], a[at], 0);
      for (int j = 0; j < kBins; ++j) {
        const U128 b = a[1 + nbands + nmeasures + m * kBins + j];
        if (b) g.pool.add_bits(g.sum(k, at), b, kTopBiased - 1075 - j);
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

std::unique_ptr<RollupBuilder::Partial> RollupBuilder::partial(const rt::ColumnBlock& block,
                                                               const BlockScores& scores) const {
  const ir::Program& p = *state_->program;
  const ir::Rollup& r = p.rollups[state_->rollup];
  const size_t nmeasures = p.measures.size(), rows = block.rows;
  if (scores.rows != rows) throw std::invalid_argument("roll-up: the scores are not the block's");
  if (!scores.detail && nmeasures > 0) throw std::invalid_argument("roll-ups need detail scores (measure scores)");
  auto out = std::make_unique<Partial>();
  Groups& g = out->groups;
  g.nbands = p.bands.size();
  g.nmeasures = nmeasures;
  std::vector<size_t> first;
  const std::vector<uint32_t> group = group_rows(p, r, block, first);
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
  const std::vector<rt::TextRef>* keys = nullptr;
  if (p.key_field >= 0 && static_cast<size_t>(p.key_field) < block.text.size()) keys = &block.text[p.key_field];
  add_rows(block, scores, group, first.size(), keys, r.weight, g);
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
