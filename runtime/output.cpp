// CSV and JSON Lines formatting of scored rows.
#include "runtime/output.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "compiler/ir/conventions.h"
#include "runtime/io/simd_dispatch.h"
#include "runtime/io/utf8.h"

namespace healthc::rt {

std::vector<OutputColumn> default_columns(const ir::Program& p, bool explain) {
  std::vector<OutputColumn> cols = {
      {OutputColumn::Key, -1, p.fields[p.key_field].name}, {OutputColumn::Segment, -1, "segment"},
      {OutputColumn::Score, -1, "score"},                  {OutputColumn::Band, -1, "band"},
      {OutputColumn::Color, -1, "color"},                  {OutputColumn::Label, -1, "label"},
      {OutputColumn::Override, -1, "override"},            {OutputColumn::Reasons, -1, "reasons"}};
  if (!p.stale_rules.empty()) cols.push_back({OutputColumn::Stale, -1, "stale"});
  if (explain)
    for (size_t m = 0; m < p.measures.size(); ++m) {
      const int32_t i = static_cast<int32_t>(m);
      cols.push_back({OutputColumn::Value, i, p.measures[m].name + ".value"});
      cols.push_back({OutputColumn::MeasureScore, i, p.measures[m].name + ".score"});
      cols.push_back({OutputColumn::Weight, i, p.measures[m].name + ".weight"});
    }
  return cols;
}

bool select_columns(const ir::Program& p, const std::vector<std::string>& names, std::vector<OutputColumn>& out,
                    std::string& unknown) {
  std::vector<OutputColumn> all = default_columns(p, true);
  all.push_back({OutputColumn::PreviousScore, -1, "previous_score"});
  all.push_back({OutputColumn::ScoreChange, -1, "score_change"});
  all.push_back({OutputColumn::Weighted, -1, "weighted"});
  if (p.stale_rules.empty()) all.push_back({OutputColumn::Stale, -1, "stale"});
  out.clear();
  for (const std::string& n : names) {
    auto it = std::find_if(all.begin(), all.end(), [&](const OutputColumn& c) { return c.header == n; });
    if (it == all.end()) {
      unknown = n;
      return false;
    }
    out.push_back(*it);
  }
  return true;
}

bool needs_detail(const std::vector<OutputColumn>& columns) {
  return std::any_of(columns.begin(), columns.end(), [](const OutputColumn& c) {
    return c.kind == OutputColumn::Reasons || c.kind == OutputColumn::Value || c.kind == OutputColumn::MeasureScore ||
           c.kind == OutputColumn::Weight;
  });
}

bool reads_previous(const std::vector<OutputColumn>& columns) {
  return std::any_of(columns.begin(), columns.end(), [](const OutputColumn& c) {
    return c.kind == OutputColumn::PreviousScore || c.kind == OutputColumn::ScoreChange;
  });
}

void append_json_string(std::string& out, std::string_view s) {
  // The readers refuse text that is not UTF-8; this is the last guard that what goes out is
  // JSON whatever reached it (each stray byte becomes U+FFFD).
  std::string repaired;
  if (!is_valid_utf8(s)) {
    repaired = repaired_utf8(s);
    s = repaired;
  }
  out.push_back('"');
  if (json_plain(s)) {  // most text: nothing to escape
    out.append(s);
    out.push_back('"');
    return;
  }
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) out += fmt::format("\\u{:04x}", static_cast<int>(c));
        else out.push_back(c);
    }
  }
  out.push_back('"');
}

namespace {
constexpr size_t kFixed1Room = 400;  // fixed notation of the largest double: 309 digits, and more
constexpr size_t kNumberRoom = 32;   // the shortest text of any double: 24 bytes at most

// Copies n bytes without a memcpy call for the short texts a row is made of (4 to 16 bytes as
// two overlapping words, fewer byte by byte), by memcpy above.
inline void copy_short(char* dst, const char* src, size_t n) {
  if (n >= 8 && n <= 16) {
    uint64_t a, b;
    std::memcpy(&a, src, 8);
    std::memcpy(&b, src + n - 8, 8);
    std::memcpy(dst, &a, 8);
    std::memcpy(dst + n - 8, &b, 8);
  } else if (n >= 4 && n < 8) {
    uint32_t a, b;
    std::memcpy(&a, src, 4);
    std::memcpy(&b, src + n - 4, 4);
    std::memcpy(dst, &a, 4);
    std::memcpy(dst + n - 4, &b, 4);
  } else if (n > 16) {
    std::memcpy(dst, src, n);
  } else {
    for (size_t i = 0; i < n; ++i) dst[i] = src[i];
  }
}

// Appends to a string through a cursor: the string grows a chunk at a time (resize, so every
// byte written is the string's own), and finish() cuts it back to what was written. A cell asks
// room() for its longest text once and writes without a check a byte, where each std::string
// append is a capacity check and a memcpy call.
class RawOut {
 public:
  explicit RawOut(std::string& out) : out_(out), used_(out.size()) {}
  ~RawOut() { finish(); }  // however the writing ends, the string holds only what was written
  RawOut(const RawOut&) = delete;
  RawOut& operator=(const RawOut&) = delete;
  // At least n writable bytes at the cursor.
  char* room(size_t n) {
    if (out_.size() - used_ < n) out_.resize(std::max(out_.size() + kChunk, used_ + n + kChunk));
    return out_.data() + used_;
  }
  void advance(const char* to) { used_ = static_cast<size_t>(to - out_.data()); }
  void push_back(char c) {
    *room(1) = c;
    ++used_;
  }
  void append(std::string_view text) {
    char* w = room(text.size());
    copy_short(w, text.data(), text.size());
    used_ += text.size();
  }
  void finish() { out_.resize(used_); }

 private:
  static constexpr size_t kChunk = size_t{32} << 10;
  std::string& out_;
  size_t used_;  // bytes of out_ written; the rest is room
};
}  // namespace

// append_number's text at `w` (kNumberRoom bytes of room), returning its end.
char* put_number(char* w, double v) {
  // libstdc++'s shortest to_chars (Ryu) was over a third of an `--explain` run, whose cells
  // are mostly short decimals (weights, many values and scores). For |v| in [0.001, 10^5): the
  // first k of 0-3 for which the integer n nearest v x 10^k gives back v as n / 10^k (one
  // correctly rounded division of exact doubles, so exactly the double that decimal reads as)
  // is the shortest decimal that reads back to v. It is the only one with k places: 10^-k is
  // more than twice v's ulp here. None with fewer places reads back (k is the first), none with
  // more is as short, and fixed notation is never longer than scientific in this range (ties go
  // to fixed), so the text is to_chars's. Everything else goes to to_chars.
  const double a = std::fabs(v);
  if (a >= 1e-3 && a < 1e5) {
    constexpr double kScale[4] = {1, 10, 100, 1000};
    constexpr uint64_t kPow[4] = {1, 10, 100, 1000};
    for (int k = 0; k < 4; ++k) {
      const auto n = static_cast<uint64_t>(a * kScale[k] + 0.5);  // below 10^8 + 1
      if (static_cast<double>(n) / kScale[k] != a) continue;
      char buf[16];
      char* p = buf + sizeof buf;
      uint64_t whole = n / kPow[k], frac = n % kPow[k];
      for (int d = 0; d < k; ++d, frac /= 10) *--p = static_cast<char>('0' + frac % 10);
      if (k) *--p = '.';
      do {
        *--p = static_cast<char>('0' + whole % 10);
        whole /= 10;
      } while (whole != 0);
      if (std::signbit(v)) *--p = '-';
      const size_t len = static_cast<size_t>(buf + sizeof buf - p);
      std::memcpy(w, p, len);
      return w + len;
    }
  }
  return std::to_chars(w, w + kNumberRoom, v).ptr;
}

void append_number(std::string& out, double v) {
  char buf[kNumberRoom];
  out.append(buf, put_number(buf, v));
}

// append_fixed1's text at `w` (kFixed1Room bytes of room), returning its end.
char* put_fixed1(char* w, double v) {
  // libstdc++'s fixed-precision to_chars takes about 560 instructions a call (a quarter of the
  // full output's run went to the reasons' points). Here: y = v * 10 is within 2^-29 of the
  // exact product for v below 10^6, so when y's fraction is more than 1e-6 from one half, the
  // integer nearest y is the integer nearest the exact v * 10, which is what to_chars rounds to
  // (its ties, exact halves, are decided below by to_chars itself, as is every value outside
  // [0, 10^6) and every NaN).
  if (!std::signbit(v) && v < 1e6) {  // not -0.0, which to_chars writes as "-0.0"; NaN fails `<`
    const double y = v * 10.0;
    // y is in [0, 10^7): truncation is the floor, one instruction (std::floor is a libm call
    // without SSE4.1).
    const auto whole = static_cast<uint32_t>(y);
    const double frac = y - static_cast<double>(whole);
    if (std::fabs(frac - 0.5) > 1e-6) {
      uint32_t tenths = whole + (frac > 0.5 ? 1u : 0u);
      // The digits from the right, ending with `.d`: at most 7 before the point.
      char buf[12];
      char* p = buf + sizeof buf;
      *--p = static_cast<char>('0' + tenths % 10);
      *--p = '.';
      tenths /= 10;
      do {
        *--p = static_cast<char>('0' + tenths % 10);
        tenths /= 10;
      } while (tenths != 0);
      const size_t n = static_cast<size_t>(buf + sizeof buf - p);
      std::memcpy(w, p, n);
      return w + n;
    }
  }
  return std::to_chars(w, w + kFixed1Room, v, std::chars_format::fixed, 1).ptr;
}

void append_fixed1(std::string& out, double v) {
  char buf[kFixed1Room];
  out.append(buf, put_fixed1(buf, v));
}

namespace {

void append_int(std::string& out, int32_t v) {
  char buf[16];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}



// A cell: its text (empty = missing) and whether JSON should quote it.
struct Cell {
  std::string_view text;
  bool is_string = true;
  bool missing = false;
  bool needs_quoting_check = false;  // only data text can hold a comma, quote or newline
};

// Word tests for the bytes a text cell must escape, each nonzero exactly when some byte of `w` is
// one of them: a byte equal to b leaves a zero byte in w ^ (b x 0x01..), and (v - n x 0x01..) & ~v
// & 0x80.. is nonzero exactly when v has a byte below n (n <= 0x80; a borrow only runs on from
// such a byte, and bytes of 0x80 and up keep their high bit out through ~v).
constexpr uint64_t kOnes = 0x0101010101010101ull, kHighs = 0x8080808080808080ull;
inline uint64_t byte_below(uint64_t v, uint8_t n) { return (v - kOnes * n) & ~v & kHighs; }
inline uint64_t byte_is(uint64_t w, char b) { return byte_below(w ^ (kOnes * static_cast<uint8_t>(b)), 1); }
// CSV: `,`, `"`, CR, LF.
inline uint64_t csv_special(uint64_t w) {
  return byte_is(w, ',') | byte_is(w, '"') | byte_is(w, '\r') | byte_is(w, '\n');
}
// JSON: `"`, `\`, and the control bytes below 0x20.
inline uint64_t json_special(uint64_t w) { return byte_is(w, '"') | byte_is(w, '\\') | byte_below(w, 0x20); }

// True where no byte of `s` is special: eight bytes at a time, the last few as the word that
// ends the text (overlapping the one before: a byte tested twice is still one of the text's).
// A text under 8 bytes is read as two overlapping 4-byte halves, or its bytes in a word of
// `pad` (a byte that is not special); no load of a variable length, so no memcpy call.
template <uint64_t (*special)(uint64_t)>  // a constant, so inlined
bool none_special(std::string_view s, uint8_t pad) {
  const char* p = s.data();
  const size_t n = s.size();
  auto load8 = [](const char* q) {
    uint64_t w;
    std::memcpy(&w, q, 8);
    return w;
  };
  if (n >= 8) {
    uint64_t found = special(load8(p + n - 8));
    for (size_t i = 0; i + 8 < n; i += 8) found |= special(load8(p + i));
    return found == 0;
  }
  uint64_t w = kOnes * pad;
  if (n >= 4) {
    uint32_t lo, hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + n - 4, 4);
    w = lo | uint64_t{hi} << 32;
  } else if (n > 0) {
    w = (w & ~uint64_t{0xFFFFFF}) | static_cast<unsigned char>(p[0]) | uint64_t{static_cast<unsigned char>(p[n / 2])} << 8 |
        uint64_t{static_cast<unsigned char>(p[n - 1])} << 16;
  }
  return special(w) == 0;
}

}  // namespace

bool csv_plain(std::string_view s) { return none_special<csv_special>(s, 0); }
bool json_plain(std::string_view s) { return none_special<json_special>(s, ' '); }

void append_csv(std::string& out, std::string_view s) {
  if (csv_plain(s)) {
    out.append(s);
    return;
  }
  out.push_back('"');
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

namespace {

// The top three reasons of a row into `top` (no allocation); returns how many there are: the
// measures that cost points (scored, in the row's model, points above 0), most points first, a
// tie in file order. Branch-free: points of 0 or more compare as their bits, so each measure is
// three integer compares and a shift down the three places by conditional moves, whatever the
// data (the insertion it replaces mispredicted on most rows).
size_t top_reasons(const ir::Program& p, const BlockScores& s, size_t row, Reason (&top)[3]) {
  if (!s.detail) return 0;
  uint64_t k0 = 0, k1 = 0, k2 = 0;  // the points' bits, most first; 0: no reason there
  uint32_t m0 = 0, m1 = 0, m2 = 0;
  const size_t rows = s.rows, nm = p.measures.size();
  for (size_t m = 0, at = row; m < nm; ++m, at += rows) {
    const double points = s.m_weight[at] * (100.0 - s.m_score[at]);
    const bool counts = (s.m_weight_valid[at] != 0) & (s.m_score_valid[at] != 0) & (points > 0);
    const uint64_t k = counts ? std::bit_cast<uint64_t>(points) : 0;
    const auto mi = static_cast<uint32_t>(m);
    // Strictly more: a tie goes after the measures before it.
    const bool b0 = k > k0, b1 = k > k1, b2 = k > k2;
    k2 = b1 ? k1 : b2 ? k : k2;
    m2 = b1 ? m1 : b2 ? mi : m2;
    k1 = b0 ? k0 : b1 ? k : k1;
    m1 = b0 ? m0 : b1 ? mi : m1;
    k0 = b0 ? k : k0;
    m0 = b0 ? mi : m0;
  }
  top[0] = {static_cast<int32_t>(m0), std::bit_cast<double>(k0)};
  top[1] = {static_cast<int32_t>(m1), std::bit_cast<double>(k1)};
  top[2] = {static_cast<int32_t>(m2), std::bit_cast<double>(k2)};
  return (k0 != 0) + (k1 != 0) + (k2 != 0);
}

// The top three reasons of a tile of rows [begin, begin + n), measure by measure: the same as
// top_reasons row by row, but each measure's columns are read as streams and the running three
// of every row are updated side by side (vectorised with AVX2 where the CPU has it; integer
// compares and selects, and the one product the scalar path makes, so every path gives the same
// bits).
struct TopTile {
  static constexpr size_t kRows = 512;
  int64_t key[3][kRows];  // the points' bits (points > 0 compare as their bits), most first; 0: none
  int64_t measure[3][kRows];
};

__attribute__((always_inline)) inline void top_tile_impl(const BlockScores& s, size_t nm, size_t begin, size_t n,
                                                         TopTile& t) {
  int64_t* __restrict k0 = t.key[0];
  int64_t* __restrict k1 = t.key[1];
  int64_t* __restrict k2 = t.key[2];
  int64_t* __restrict m0 = t.measure[0];
  int64_t* __restrict m1 = t.measure[1];
  int64_t* __restrict m2 = t.measure[2];
  for (size_t i = 0; i < n; ++i) k0[i] = k1[i] = k2[i] = m0[i] = m1[i] = m2[i] = 0;
  for (size_t m = 0; m < nm; ++m) {
    const size_t at = m * s.rows + begin;
    const double* __restrict w = &s.m_weight[at];
    const double* __restrict sc = &s.m_score[at];
    const uint8_t* __restrict wv = &s.m_weight_valid[at];
    const uint8_t* __restrict sv = &s.m_score_valid[at];
    const auto mi = static_cast<int64_t>(m);
    for (size_t i = 0; i < n; ++i) {
      const double points = w[i] * (100.0 - sc[i]);
      const bool counts = (wv[i] != 0) & (sv[i] != 0) & (points > 0);
      const int64_t k = counts ? std::bit_cast<int64_t>(points) : 0;
      const bool b0 = k > k0[i], b1 = k > k1[i], b2 = k > k2[i];  // strictly: a tie goes after
      k2[i] = b1 ? k1[i] : b2 ? k : k2[i];
      m2[i] = b1 ? m1[i] : b2 ? mi : m2[i];
      k1[i] = b0 ? k0[i] : b1 ? k : k1[i];
      m1[i] = b0 ? m0[i] : b1 ? mi : m1[i];
      k0[i] = b0 ? k : k0[i];
      m0[i] = b0 ? mi : m0[i];
    }
  }
}

void top_tile_scalar(const BlockScores& s, size_t nm, size_t begin, size_t n, TopTile& t) {
  top_tile_impl(s, nm, begin, n, t);
}

#if defined(__x86_64__)
__attribute__((target("avx2"))) void top_tile_avx2(const BlockScores& s, size_t nm, size_t begin, size_t n,
                                                   TopTile& t) {
  top_tile_impl(s, nm, begin, n, t);
}
#endif

// `avx2`: with AVX2 where the CPU has it (the writers); false: the scalar path (tests).
void top_tile(const BlockScores& s, size_t nm, size_t begin, size_t n, TopTile& t, bool avx2 = true) {
#if defined(__x86_64__)
  if (avx2 && cpu_has_avx2()) return top_tile_avx2(s, nm, begin, n, t);
#endif
  (void)avx2;
  top_tile_scalar(s, nm, begin, n, t);
}

// The reasons column's texts of a card: [m] "NAME -" for the first reason, [nm + m] "; NAME -"
// for the others.
std::vector<std::string> reason_prefixes(const ir::Program& p) {
  std::vector<std::string> out;
  for (const ir::Measure& m : p.measures) out.push_back(m.name + " -");
  for (const ir::Measure& m : p.measures) out.push_back("; " + m.name + " -");
  return out;
}

using rt::append_fixed1;  // the string's, beside the cursor's below (which would hide it)
void append_fixed1(RawOut& out, double v) { out.advance(put_fixed1(out.room(kFixed1Room), v)); }

// Row i of a tile's reasons, into a string (the JSON Lines writer) or a cursor (the CSV one).
template <class Out>
void append_reasons(Out& out, const std::vector<std::string>& prefixes, size_t nm, const TopTile& t, size_t i) {
  for (size_t j = 0; j < 3 && t.key[j][i] != 0; ++j) {
    out.append(std::string_view(prefixes[(j ? nm : 0) + static_cast<size_t>(t.measure[j][i])]));
    append_fixed1(out, std::bit_cast<double>(t.key[j][i]));
  }
}

// The same without the card's texts (one row at a time: reasons_text).
void append_reasons(std::string& out, const ir::Program& p, const BlockScores& s, size_t row) {
  Reason top[3];
  const size_t n = top_reasons(p, s, row, top);
  for (size_t i = 0; i < n; ++i) {
    if (i) out += "; ";
    out += p.measures[static_cast<size_t>(top[i].measure)].name;
    out += " -";
    append_fixed1(out, top[i].points);
  }
}

}  // namespace

namespace detail {
std::string reasons_cells(const ir::Program& p, const BlockScores& s, bool avx2) {
  std::string out;
  if (!s.detail) return out;
  const std::vector<std::string> prefixes = reason_prefixes(p);
  TopTile tile;
  for (size_t begin = 0; begin < s.rows; begin += TopTile::kRows) {
    const size_t n = std::min(TopTile::kRows, s.rows - begin);
    top_tile(s, p.measures.size(), begin, n, tile, avx2);
    for (size_t i = 0; i < n; ++i) {
      append_reasons(out, prefixes, p.measures.size(), tile, i);
      out.push_back('\n');
    }
  }
  return out;
}
}  // namespace detail

std::string reasons_text(const ir::Program& p, const BlockScores& s, size_t row) {
  std::string out;
  append_reasons(out, p, s, row);
  return out;
}

std::vector<Reason> reasons(const ir::Program& p, const BlockScores& s, size_t row, size_t limit) {
  std::vector<Reason> out;
  if (!s.detail) return out;
  for (size_t m = 0; m < p.measures.size(); ++m) {
    const size_t at = m * s.rows + row;
    if (!s.m_weight_valid[at] || !s.m_score_valid[at]) continue;
    const double points = s.m_weight[at] * (100.0 - s.m_score[at]);
    if (points > 0) out.push_back({static_cast<int32_t>(m), points});
  }
  std::stable_sort(out.begin(), out.end(), [](const Reason& a, const Reason& b) { return a.points > b.points; });
  if (out.size() > limit) out.resize(limit);
  return out;
}

std::string format_header(const std::vector<OutputColumn>& columns, OutputFormat format) {
  if (format != OutputFormat::Csv) return {};
  std::string out;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i) out.push_back(',');
    append_csv(out, columns[i].header);
  }
  out.push_back('\n');
  return out;
}

namespace {

// One cell of a row, for the columns without a precomputed table (and for JSON Lines).
Cell make_cell(const ir::Program& p, const OutputColumn& col, const ColumnBlock& block, const BlockScores& s,
               size_t row, std::string& scratch) {
  const int32_t nseg = static_cast<int32_t>(p.segments.size());
  const int32_t nbands = static_cast<int32_t>(p.bands.size());
  scratch.clear();
  Cell cell;
  switch (col.kind) {
    case OutputColumn::Key:
      cell.text = block.text[p.key_field][row].view();
      cell.needs_quoting_check = true;
      break;
    case OutputColumn::Segment: {
      const int32_t seg = s.segment[row];
      cell.text = seg < nseg ? std::string_view(p.segments[seg].name) : "default";
      break;
    }
    case OutputColumn::Score:
      cell.is_string = false;
      if (s.score[row] < 0) cell.missing = true;
      else append_int(scratch, s.score[row]), cell.text = scratch;
      break;
    case OutputColumn::Band:
    case OutputColumn::Color: {
      const int32_t b = s.band[row];
      if (col.kind == OutputColumn::Band) cell.text = b < nbands ? std::string_view(p.bands[b].name) : "unscored";
      else cell.text = b < nbands ? std::string_view(p.bands[b].color) : "grey";
      break;
    }
    case OutputColumn::Label:
      if (s.label[row] < 0) cell.missing = true;
      else cell.text = p.labels[s.label[row]].name;
      break;
    case OutputColumn::Override:
      if (s.override_[row] < 0) cell.missing = true;
      else cell.text = p.overrides[s.override_[row]].name;
      break;
    case OutputColumn::Reasons:
      append_reasons(scratch, p, s, row);
      cell.text = scratch;
      break;
    case OutputColumn::PreviousScore:
    case OutputColumn::ScoreChange:
    case OutputColumn::Weighted: {
      int32_t v = -1;
      bool ok = false;
      if (col.kind == OutputColumn::Weighted) {
        v = s.weighted_score.size() > row ? s.weighted_score[row] : -1;
        ok = v >= 0;
      } else if (col.previous) {
        const int32_t prev = col.previous->previous_score(block.text[p.key_field][row].view());
        if (col.kind == OutputColumn::PreviousScore) v = prev, ok = prev >= 0;
        else v = s.score[row] - prev, ok = prev >= 0 && s.score[row] >= 0;
      }
      cell.is_string = false;
      if (!ok) cell.missing = true;
      else append_int(scratch, v), cell.text = scratch;
      break;
    }
    case OutputColumn::Stale: {
      // The stale rules are in the file order of their measures.
      const uint64_t mask = !p.stale_rules.empty() && s.stale.size() > row ? s.stale[row] : 0;
      for (size_t i = 0; i < p.stale_rules.size() && i < 64; ++i)
        if (mask >> i & 1) {
          if (!scratch.empty()) scratch.push_back(';');
          scratch += p.measures[static_cast<size_t>(p.stale_rules[i].measure)].name;
        }
      cell.text = scratch;
      break;
    }
    case OutputColumn::Value:
    case OutputColumn::MeasureScore:
    case OutputColumn::Weight: {
      const size_t at = static_cast<size_t>(col.measure) * s.rows + row;
      const bool ok = col.kind == OutputColumn::Value          ? s.m_value_valid[at]
                      : col.kind == OutputColumn::MeasureScore ? s.m_score_valid[at]
                                                               : s.m_weight_valid[at];
      const double v = col.kind == OutputColumn::Value          ? s.m_value[at]
                       : col.kind == OutputColumn::MeasureScore ? s.m_score[at]
                                                                : s.m_weight[at];
      cell.is_string = false;
      if (!ok) {
        cell.missing = true;
        break;
      }
      const ir::Measure& m = p.measures[col.measure];
      if (col.kind == OutputColumn::Value && m.value_kind == ir::ValueKind::Bool) {
        cell.text = v != 0 ? "true" : "false";
      } else if (col.kind == OutputColumn::Value && m.value_kind == ir::ValueKind::Enum) {
        cell.text = ir::member_spelling(p.fields[m.enum_field], static_cast<size_t>(v));  // as the data spells it
        cell.is_string = true;
      } else {
        append_number(scratch, v);
        cell.text = scratch;
      }
      break;
    }
  }
  return cell;
}

// How a CSV column is written: a card's constant texts looked up per row (the comma before
// them included), the score and the key directly, anything else through make_cell.
struct CsvPlan {
  enum How { Table, Score, Key, Reasons, Number, Generic } how = Generic;
  std::vector<std::string> texts;  // Table: by the row's index (format_csv_rows); Reasons: reason_prefixes
};

std::vector<CsvPlan> plan_csv(const ir::Program& p, const std::vector<OutputColumn>& columns) {
  std::vector<CsvPlan> plans(columns.size());
  for (size_t c = 0; c < columns.size(); ++c) {
    CsvPlan& plan = plans[c];
    const std::string sep = c ? "," : "";
    auto add = [&](std::string_view text) { plan.texts.push_back(sep + std::string(text)); };
    switch (columns[c].kind) {
      case OutputColumn::Segment:
        for (const auto& seg : p.segments) add(seg.name);
        add("default");
        break;
      case OutputColumn::Band:
        for (const auto& band : p.bands) add(band.name);
        add("unscored");
        break;
      case OutputColumn::Color:
        for (const auto& band : p.bands) add(band.color);
        add("grey");
        break;
      case OutputColumn::Label:
        add("");
        for (const auto& label : p.labels) add(label.name);
        break;
      case OutputColumn::Override:
        add("");
        for (const auto& o : p.overrides) add(o.name);
        break;
      case OutputColumn::Score: plan.how = CsvPlan::Score; continue;
      case OutputColumn::Reasons:
        plan.how = CsvPlan::Reasons;
        plan.texts = reason_prefixes(p);
        continue;
      case OutputColumn::Key: plan.how = CsvPlan::Key; continue;
      case OutputColumn::Value:
      case OutputColumn::MeasureScore:
      case OutputColumn::Weight: {
        // A number, unless a value of a bool or enum measure (make_cell spells those).
        const ir::ValueKind vk = p.measures[static_cast<size_t>(columns[c].measure)].value_kind;
        if (columns[c].kind != OutputColumn::Value || (vk != ir::ValueKind::Bool && vk != ir::ValueKind::Enum))
          plan.how = CsvPlan::Number;
        continue;
      }
      default: continue;
    }
    plan.how = CsvPlan::Table;
  }
  return plans;
}

// A CSV cell of data text at the cursor: quoted (and its quotes doubled) when it must be.
void put_csv(RawOut& out, std::string_view text) {
  if (csv_plain(text)) {
    out.append(text);
    return;
  }
  char* w = out.room(2 * text.size() + 2);
  *w++ = '"';
  for (char c : text) {
    if (c == '"') *w++ = '"';
    *w++ = c;
  }
  *w++ = '"';
  out.advance(w);
}

void format_csv_rows(const ir::Program& p, const std::vector<OutputColumn>& columns, const ColumnBlock& block,
                     const BlockScores& s, std::string& text) {
  const std::vector<CsvPlan> plans = plan_csv(p, columns);
  std::string scratch;
  const bool reasons = s.detail && std::any_of(plans.begin(), plans.end(),
                                               [](const CsvPlan& plan) { return plan.how == CsvPlan::Reasons; });
  // Each column's source read through local pointers: a byte written through the cursor may
  // alias anything, so members reached through `s` and `plans` would be loaded again per cell.
  struct Col {
    CsvPlan::How how;
    const int32_t* index = nullptr;  // Table: the row's segment, band, label or override
    const double* number = nullptr;  // Number: the measure's values, scores or weights
    const uint8_t* valid = nullptr;  //   and whether each row has one
    bool shifted = false;            // labels and overrides: -1 is "none", entry 0
    size_t last = 0;                 // Table: its last entry (the default)
    std::vector<std::string_view> texts;
  };
  std::vector<Col> cols(plans.size());
  for (size_t c = 0; c < plans.size(); ++c) {
    Col& col = cols[c];
    col.how = plans[c].how;
    for (const std::string& t : plans[c].texts) col.texts.push_back(t);
    if (col.how == CsvPlan::Number) {
      const size_t at = static_cast<size_t>(columns[c].measure) * s.rows;
      switch (columns[c].kind) {
        case OutputColumn::Value: col.number = s.m_value.data() + at, col.valid = s.m_value_valid.data() + at; break;
        case OutputColumn::MeasureScore:
          col.number = s.m_score.data() + at, col.valid = s.m_score_valid.data() + at;
          break;
        default: col.number = s.m_weight.data() + at, col.valid = s.m_weight_valid.data() + at; break;
      }
      continue;
    }
    if (col.how != CsvPlan::Table) continue;
    col.last = col.texts.size() - 1;
    switch (columns[c].kind) {
      case OutputColumn::Segment: col.index = s.segment.data(); break;
      case OutputColumn::Band:
      case OutputColumn::Color: col.index = s.band.data(); break;
      case OutputColumn::Label: col.index = s.label.data(), col.shifted = true; break;
      case OutputColumn::Override: col.index = s.override_.data(), col.shifted = true; break;
      default: col.how = CsvPlan::Generic; break;  // never: every Table kind is above
    }
  }
  const int32_t* const score = s.score.data();
  const TextRef* const keys = p.key_field >= 0 ? block.text[static_cast<size_t>(p.key_field)].data() : nullptr;
  const size_t nm = p.measures.size();
  TopTile tile;
  RawOut out(text);
  for (size_t row = 0; row < block.rows; ++row) {
    const size_t in_tile = row % TopTile::kRows;
    if (reasons && in_tile == 0) top_tile(s, nm, row, std::min(TopTile::kRows, block.rows - row), tile);
    for (size_t c = 0; c < cols.size(); ++c) {
      const Col& col = cols[c];
      switch (col.how) {
        case CsvPlan::Table: {
          // Past the card's segments or bands, the default ones; labels and overrides shifted
          // by one for "none" (an empty cell).
          const int32_t v = col.index[row];
          const size_t i = col.shifted ? (v < 0 ? 0 : std::min(static_cast<size_t>(v) + 1, col.last))
                                       : (v >= 0 && static_cast<size_t>(v) < col.last ? static_cast<size_t>(v) : col.last);
          out.append(col.texts[i]);
          continue;
        }
        case CsvPlan::Score: {
          char* w = out.room(16);
          if (c) *w++ = ',';
          if (score[row] >= 0) w = std::to_chars(w, w + 12, score[row]).ptr;
          out.advance(w);
          continue;
        }
        case CsvPlan::Key:
          if (c) out.push_back(',');
          put_csv(out, keys[row].view());
          continue;
        case CsvPlan::Number: {
          char* w = out.room(kNumberRoom + 1);
          if (c) *w++ = ',';
          if (col.valid[row]) w = put_number(w, col.number[row]);
          out.advance(w);
          continue;
        }
        case CsvPlan::Reasons:  // names are identifiers: nothing to quote
          if (c) out.push_back(',');
          if (reasons) append_reasons(out, plans[c].texts, nm, tile, in_tile);
          continue;
        case CsvPlan::Generic:
          break;
      }
      if (c) out.push_back(',');
      const Cell cell = make_cell(p, columns[c], block, s, row, scratch);
      // Names are identifiers and numbers are digits: only data text may need quotes.
      if (cell.missing) {
      } else if (cell.needs_quoting_check) {
        put_csv(out, cell.text);
      } else {
        out.append(cell.text);
      }
    }
    out.push_back('\n');
  }
  out.finish();
}

}  // namespace

void format_rows(const ir::Program& p, const std::vector<OutputColumn>& columns, const ColumnBlock& block,
                 const BlockScores& s, OutputFormat format, std::string& out) {
  if (format == OutputFormat::Csv) {
    format_csv_rows(p, columns, block, s, out);
    return;
  }
  std::string scratch;
  const bool reasons = s.detail && std::any_of(columns.begin(), columns.end(), [](const OutputColumn& col) {
                         return col.kind == OutputColumn::Reasons;
                       });
  const std::vector<std::string> prefixes = reasons ? reason_prefixes(p) : std::vector<std::string>();
  TopTile tile;
  for (size_t row = 0; row < block.rows; ++row) {
    const size_t in_tile = row % TopTile::kRows;
    if (reasons && in_tile == 0) top_tile(s, p.measures.size(), row, std::min(TopTile::kRows, block.rows - row), tile);
    out.push_back('{');
    for (size_t c = 0; c < columns.size(); ++c) {
      const OutputColumn& col = columns[c];
      if (reasons && col.kind == OutputColumn::Reasons) {  // names are identifiers: nothing to escape
        if (c) out.push_back(',');
        append_json_string(out, col.header);
        out += ":\"";
        append_reasons(out, prefixes, p.measures.size(), tile, in_tile);
        out.push_back('"');
        continue;
      }
      const Cell cell = make_cell(p, col, block, s, row, scratch);
      if (c) out.push_back(',');
      append_json_string(out, col.header);
      out.push_back(':');
      if (cell.missing) out += "null";
      else if (cell.is_string) append_json_string(out, cell.text);
      else out.append(cell.text);
    }
    out += "}\n";
  }
}

}  // namespace healthc::rt
