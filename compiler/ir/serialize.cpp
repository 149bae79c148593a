// The IR's binary form (serialize.h). Layout: "HCIR", the version (u32), then the Program's
// members in declaration order; integers little-endian, doubles as their IEEE bits, strings
// and vectors as a u32 count then the items. Nothing else is written, so equal programs give
// equal bytes.
#include "compiler/ir/serialize.h"

#include <fmt/format.h>

#include <bit>
#include <cstring>

#include "compiler/ir/verify.h"

namespace healthc::ir {
namespace {

constexpr char kMagic[4] = {'H', 'C', 'I', 'R'};
// Deeper weight trees than this are refused (the reader recurses; the checker's trees are shallow).
constexpr int kMaxTreeDepth = 256;

class Writer {
 public:
  void u8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u32(uint32_t v) {
    for (int k = 0; k < 4; ++k) u8(static_cast<uint8_t>(v >> (8 * k)));
  }
  void i32(int32_t v) { u32(static_cast<uint32_t>(v)); }
  void u64(uint64_t v) {
    for (int k = 0; k < 8; ++k) u8(static_cast<uint8_t>(v >> (8 * k)));
  }
  void f64(double v) { u64(std::bit_cast<uint64_t>(v)); }
  void count(size_t n) { u32(static_cast<uint32_t>(n)); }
  void str(const std::string& s) {
    count(s.size());
    out_ += s;
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

void write_nodes(Writer& w, const std::vector<WeightNode>& nodes) {
  w.count(nodes.size());
  for (const WeightNode& n : nodes) {
    w.str(n.name);
    w.str(n.title);
    w.i32(n.measure);
    w.f64(n.weight);
    write_nodes(w, n.children);
  }
}

// Reads with bounds checks; the first failure sticks and every later read yields zeros.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  bool at_end() const { return pos_ == in_.size(); }
  size_t pos() const { return pos_; }
  void fail(std::string why) {
    if (error_.empty()) error_ = fmt::format("{} (at byte {})", why, pos_);
    pos_ = in_.size();
  }

  bool take(void* dst, size_t n) {
    if (!ok()) return false;
    if (in_.size() - pos_ < n) {
      fail("truncated");
      return false;
    }
    std::memcpy(dst, in_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  uint8_t u8() {
    uint8_t v = 0;
    take(&v, 1);
    return v;
  }
  uint32_t u32() {
    unsigned char b[4] = {};
    if (!take(b, 4)) return 0;
    return uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 | uint32_t(b[3]) << 24;
  }
  int32_t i32() { return static_cast<int32_t>(u32()); }
  uint64_t u64() {
    const uint64_t lo = u32();
    return lo | uint64_t(u32()) << 32;
  }
  double f64() { return std::bit_cast<double>(u64()); }
  bool boolean() {
    const uint8_t v = u8();
    if (v > 1) fail("a flag is not 0 or 1");
    return v == 1;
  }
  // A count of items that take at least `min_size` bytes each: never more than the bytes
  // left could hold, so a garbled count cannot make the reader allocate without bound.
  size_t count(size_t min_size) {
    const uint32_t n = u32();
    if (ok() && static_cast<uint64_t>(n) * min_size > in_.size() - pos_) fail(fmt::format("count {} exceeds the data", n));
    return ok() ? n : 0;
  }
  std::string str() {
    const size_t n = count(1);
    std::string s(n, '\0');
    take(s.data(), n);
    return s;
  }
  template <class E>
  E enumerator(int count, const char* what) {
    const uint8_t v = u8();
    if (v >= count) fail(fmt::format("unknown {} {}", what, v));
    return static_cast<E>(v < count ? v : 0);
  }

 private:
  std::string_view in_;
  size_t pos_ = 0;
  std::string error_;
};

std::vector<WeightNode> read_nodes(Reader& r, int depth) {
  std::vector<WeightNode> out;
  if (depth > kMaxTreeDepth) {
    r.fail("weight tree too deep");
    return out;
  }
  const size_t n = r.count(4 + 4 + 4 + 8 + 4);
  out.reserve(n);
  for (size_t i = 0; i < n && r.ok(); ++i) {
    WeightNode w;
    w.name = r.str();
    w.title = r.str();
    w.measure = r.i32();
    w.weight = r.f64();
    w.children = read_nodes(r, depth + 1);
    out.push_back(std::move(w));
  }
  return out;
}

}  // namespace

std::string serialize(const Program& p) {
  Writer w;
  for (char c : kMagic) w.u8(static_cast<uint8_t>(c));
  w.u32(kSerialVersion);
  w.str(p.title);
  w.count(p.fields.size());
  for (const Field& f : p.fields) {
    w.str(f.name);
    w.u8(static_cast<uint8_t>(f.type));
    w.u8(f.optional);
    w.count(f.members.size());
    for (const std::string& m : f.members) w.str(m);
    w.count(f.spellings.size());
    for (const std::string& m : f.spellings) w.str(m);
  }
  w.i32(p.key_field);
  w.count(p.strings.size());
  for (const std::string& s : p.strings) w.str(s);
  w.count(p.code.size());
  for (const Inst& in : p.code) {
    w.u8(static_cast<uint8_t>(in.op));
    w.u32(in.a);
    w.u32(in.b);
    w.u32(in.c);
    w.f64(in.imm);
    w.u32(in.aux);
  }
  for (const Block& b :
       {p.measures_block, p.account_block, p.detail_block, p.overrides_block, p.labels_block, p.alerts_block}) {
    w.u32(b.begin);
    w.u32(b.end);
  }
  const Results& r = p.results;
  for (uint32_t i : {r.segment, r.weighted_score, r.score, r.band, r.label, r.override_}) w.u32(i);
  w.count(p.measures.size());
  for (const Measure& m : p.measures) {
    w.str(m.name);
    w.str(m.title);
    w.u8(m.subjective);
    w.u8(static_cast<uint8_t>(m.value_kind));
    w.i32(m.enum_field);
    w.u32(m.value);
    w.u32(m.score);
    w.u32(m.weight);
  }
  w.count(p.models.size());
  for (const Model& m : p.models) {
    w.str(m.name);
    write_nodes(w, m.roots);
  }
  w.i32(p.default_model);
  w.count(p.segments.size());
  for (const Segment& s : p.segments) {
    w.str(s.name);
    w.str(s.title);
    w.u32(s.condition);
    w.i32(s.model);
  }
  w.count(p.overrides.size());
  for (const Override& o : p.overrides) {
    w.str(o.name);
    w.str(o.title);
    w.count(o.segments.size());
    for (int32_t s : o.segments) w.i32(s);
    w.u32(o.condition);
    w.u8(static_cast<uint8_t>(o.action));
    w.i32(o.amount);
    w.i32(o.band);
  }
  w.count(p.bands.size());
  for (const Band& b : p.bands) {
    w.str(b.name);
    w.str(b.title);
    w.str(b.color);
    w.i32(b.from);
    w.i32(b.to);
  }
  w.count(p.labels.size());
  for (const Label& l : p.labels) {
    w.str(l.name);
    w.str(l.title);
    w.u32(l.condition);
  }
  w.count(p.history.size());
  for (const HistoryInput& h : p.history) {
    w.u8(static_cast<uint8_t>(h.kind));
    w.i32(h.measure);
    w.i32(h.days_back);
  }
  w.count(p.alerts.size());
  for (const Alert& a : p.alerts) {
    w.str(a.name);
    w.str(a.title);
    w.count(a.segments.size());
    for (int32_t s : a.segments) w.i32(s);
    w.u32(a.condition);
    w.u8(static_cast<uint8_t>(a.severity));
  }
  w.count(p.stale_rules.size());
  for (const StaleRule& s : p.stale_rules) {
    w.i32(s.measure);
    w.i32(s.date_field);
    w.i32(s.days);
    w.u32(s.stale);
  }
  w.count(p.rollups.size());
  for (const Rollup& r : p.rollups) {
    w.str(r.name);
    w.str(r.title);
    w.count(r.by.size());
    for (int32_t f : r.by) w.i32(f);
    w.i32(r.weight);
  }
  return w.take();
}

bool deserialize(std::string_view bytes, Program& out, std::string& error) {
  Reader r(bytes);
  char magic[4] = {};
  if (!r.take(magic, 4) || std::memcmp(magic, kMagic, 4) != 0) {
    error = "not a healthc IR blob (bad magic)";
    return false;
  }
  if (const uint32_t v = r.u32(); r.ok() && v != kSerialVersion) {
    error = fmt::format("IR version {} is not the supported version {}", v, kSerialVersion);
    return false;
  }
  Program p;
  p.title = r.str();
  p.fields.resize(r.count(4 + 1 + 1 + 4 + 4));
  for (Field& f : p.fields) {
    f.name = r.str();
    f.type = r.enumerator<FieldType>(5, "field type");
    f.optional = r.boolean();
    f.members.resize(r.count(4));
    for (std::string& m : f.members) m = r.str();
    f.spellings.resize(r.count(4));
    for (std::string& m : f.spellings) m = r.str();
  }
  p.key_field = r.i32();
  p.strings.resize(r.count(4));
  for (std::string& s : p.strings) s = r.str();
  p.code.resize(r.count(1 + 4 * 3 + 8 + 4));
  for (Inst& in : p.code) {
    in.op = r.enumerator<Op>(kOpCount, "op");
    in.a = r.u32();
    in.b = r.u32();
    in.c = r.u32();
    in.imm = r.f64();
    in.aux = r.u32();
  }
  for (Block* b :
       {&p.measures_block, &p.account_block, &p.detail_block, &p.overrides_block, &p.labels_block, &p.alerts_block}) {
    b->begin = r.u32();
    b->end = r.u32();
  }
  Results& res = p.results;
  for (uint32_t* i : {&res.segment, &res.weighted_score, &res.score, &res.band, &res.label, &res.override_}) *i = r.u32();
  p.measures.resize(r.count(4 + 4 + 1 + 1 + 4 + 4 + 4 + 4));
  for (Measure& m : p.measures) {
    m.name = r.str();
    m.title = r.str();
    m.subjective = r.boolean();
    m.value_kind = r.enumerator<ValueKind>(4, "value kind");
    m.enum_field = r.i32();
    m.value = r.u32();
    m.score = r.u32();
    m.weight = r.u32();
  }
  p.models.resize(r.count(4 + 4));
  for (Model& m : p.models) {
    m.name = r.str();
    m.roots = read_nodes(r, 0);
  }
  p.default_model = r.i32();
  p.segments.resize(r.count(4 + 4 + 4 + 4));
  for (Segment& s : p.segments) {
    s.name = r.str();
    s.title = r.str();
    s.condition = r.u32();
    s.model = r.i32();
  }
  p.overrides.resize(r.count(4 + 4 + 4 + 4 + 1 + 4 + 4));
  for (Override& o : p.overrides) {
    o.name = r.str();
    o.title = r.str();
    o.segments.resize(r.count(4));
    for (int32_t& s : o.segments) s = r.i32();
    o.condition = r.u32();
    o.action = r.enumerator<ActionKind>(4, "override action");
    o.amount = r.i32();
    o.band = r.i32();
  }
  p.bands.resize(r.count(4 * 3 + 4 + 4));
  for (Band& b : p.bands) {
    b.name = r.str();
    b.title = r.str();
    b.color = r.str();
    b.from = r.i32();
    b.to = r.i32();
  }
  p.labels.resize(r.count(4 + 4 + 4));
  for (Label& l : p.labels) {
    l.name = r.str();
    l.title = r.str();
    l.condition = r.u32();
  }
  p.history.resize(r.count(1 + 4 + 4));
  for (HistoryInput& h : p.history) {
    h.kind = r.enumerator<HistoryKind>(static_cast<int>(HistoryKind::MeasureValue) + 1, "history kind");
    h.measure = r.i32();
    h.days_back = r.i32();
  }
  p.alerts.resize(r.count(4 + 4 + 4 + 4 + 1));
  for (Alert& a : p.alerts) {
    a.name = r.str();
    a.title = r.str();
    a.segments.resize(r.count(4));
    for (int32_t& s : a.segments) s = r.i32();
    a.condition = r.u32();
    a.severity = r.enumerator<Severity>(static_cast<int>(Severity::Critical) + 1, "alert severity");
  }
  p.stale_rules.resize(r.count(4 * 4));
  for (StaleRule& s : p.stale_rules) {
    s.measure = r.i32();
    s.date_field = r.i32();
    s.days = r.i32();
    s.stale = r.u32();
  }
  p.rollups.resize(r.count(4 + 4 + 4 + 4));
  for (Rollup& ru : p.rollups) {
    ru.name = r.str();
    ru.title = r.str();
    ru.by.resize(r.count(4));
    for (int32_t& f : ru.by) f = r.i32();
    ru.weight = r.i32();
  }
  if (r.ok() && !r.at_end()) r.fail("trailing bytes");
  if (!r.ok()) {
    error = r.error();
    return false;
  }
  if (const std::vector<std::string> problems = verify(p); !problems.empty()) {
    error = "invalid IR: " + problems.front();
    return false;
  }
  out = std::move(p);
  return true;
}

}  // namespace healthc::ir
