// Random scorecards that check clean, and random rows for them (missing cells, zeros,
// extremes): shared by the differential test (choices from a seeded RNG) and the
// evaluator-vs-JIT fuzz target (choices read from the fuzzer's bytes). With `v2` the cards
// also read the past (previous.*, change(X, N days|weeks)), have alerts and stale rules; the
// v1 cards of a seed stay what they were.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/io/column_block.h"
#include "runtime/io/schema.h"

namespace healthc::test_support {

// Choices from a seeded RNG: the same seed gives the same card, so a failing seed reproduces.
class RngChoices {
 public:
  explicit RngChoices(uint64_t seed) : rng_(seed) {}
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  double real(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng_); }
  void shuffle(std::vector<int>& v) { std::shuffle(v.begin(), v.end(), rng_); }
  std::mt19937_64& rng() { return rng_; }

 private:
  std::mt19937_64 rng_;
};

// Choices read from bytes (a fuzzer's input), so that a small change to the bytes is a small
// change to the card. Once the bytes run out every choice is its lowest value, which still
// makes a valid card.
class ByteChoices {
 public:
  ByteChoices(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  int pick(int lo, int hi) {
    const uint64_t span = static_cast<uint64_t>(static_cast<int64_t>(hi) - lo) + 1;
    uint64_t v = 0;
    for (uint64_t range = 1; range < span && pos_ < size_; range <<= 8) v = (v << 8) | data_[pos_++];
    return static_cast<int>(lo + static_cast<int64_t>(v % span));
  }
  double real(double lo, double hi) { return lo + (hi - lo) * (pick(0, 65535) / 65535.0); }
  void shuffle(std::vector<int>& v) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[static_cast<size_t>(pick(0, static_cast<int>(i) - 1))]);
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

template <typename Choices>
class BasicCardGenerator {
 public:
  template <typename... Args>
  explicit BasicCardGenerator(Args&&... args) : choices_(std::forward<Args>(args)...) {}

  // Whether cards use the v2 forms (set before card()).
  bool v2 = false;

  std::string card() {
    segments_ = overrides_ = labels_ = 0;
    has_rest_ = in_alert_ = false;
    has_value_.clear();
    std::string s = "scorecard \"random\"\nfields {\n  id : text key\n";
    for (int i = 0; i < kNums; ++i) s += "  n" + std::to_string(i) + " : number" + (i % 2 ? " optional" : "") + "\n";
    s += "  e0 : enum(a, b, c) optional\n  b0 : bool optional\n  d0 : date optional\n  t0 : text optional\n}\n";
    s += "param p0 = " + num() + "\n";
    s += "bands {\n  low from 0 color red\n  mid from " + std::to_string(pick(1, 50)) + " color yellow\n  high from " +
         std::to_string(pick(51, 100)) + " color green\n}\n";
    measures_ = pick(2, 7);
    for (int m = 0; m < measures_; ++m) {
      readable_ = m;  // a measure reads only the measures before it
      s += "measure m" + std::to_string(m);
      if (v2 && pick(0, 3) == 0) s += " subjective stale after " + std::to_string(pick(0, 400)) + " days of d0";
      s += " {\n";
      const bool has_value = pick(0, 3) > 0;
      has_value_.push_back(has_value);
      if (has_value) s += "  value = " + number_expr(3, m) + "\n";
      const std::string x = has_value && pick(0, 1) ? "value" : number_expr(2, m);
      switch (pick(0, 4)) {
        case 0: {
          double a = std::floor(real(-50, 50)), b = a + std::floor(real(1, 50)), c = b + std::floor(real(1, 50));
          s += "  score = linear(" + x + ", " + fmt(a) + " -> " + fmt(real(-10, 110)) + ", " + fmt(b) + " -> " +
               fmt(real(-10, 110)) + ", " + fmt(c) + " -> " + fmt(real(-10, 110)) + ")\n";
          break;
        }
        case 1: {
          const double lo = std::floor(real(-20, 10)), mid = lo + pick(1, 20);
          s += "  score = ranges(" + x + ") { .." + fmt(lo) + " -> " + fmt(real(0, 100)) + "  " + fmt(lo) + ".." +
               fmt(mid) + " -> " + fmt(real(0, 100)) + (pick(0, 1) ? "  " + fmt(mid) + ".. -> 75" : "") + " }\n";
          break;
        }
        case 2:
          s += "  score = match e0 { a -> " + fmt(real(0, 100)) + ", b -> " + fmt(real(0, 100)) +
               (pick(0, 1) ? ", _ -> 5" : "") + " }\n";
          break;
        case 3:
          s += "  score = match b0 { true -> 90, false -> 20 }\n";
          break;
        default:
          s += "  score = " + number_expr(3, m) + "\n";
      }
      if (pick(0, 2) == 0) s += "  missing = " + std::to_string(pick(0, 100)) + "\n";
      s += "}\n";
    }
    readable_ = measures_;
    s += "model default {\n" + model_body() + "}\n";
    const int extra_models = pick(0, 2);
    for (int k = 0; k < extra_models; ++k) s += "model x" + std::to_string(k) + " {\n" + model_body() + "}\n";
    const int segments = pick(0, 3);
    segments_ = segments;
    for (int k = 0; k < segments; ++k)
      s += "segment s" + std::to_string(k) + " when " + condition(2, false) + " use " +
           (extra_models && pick(0, 1) ? "x" + std::to_string(pick(0, extra_models - 1)) : std::string("default")) + "\n";
    const int overrides = pick(0, 3);
    overrides_ = overrides;
    static const char* kActions[] = {"score", "cap", "floor"};
    for (int k = 0; k < overrides; ++k) {
      s += "override o" + std::to_string(k);
      if (segments && pick(0, 2) == 0) s += " for s0, default";
      s += " when " + condition(2, true) + " => ";
      if (pick(0, 3) == 0) s += "band mid";
      else s += std::string(kActions[pick(0, 2)]) + " " + std::to_string(pick(-10, 110));
      s += "\n";
    }
    const int labels = pick(0, 3);
    labels_ = labels;
    for (int k = 0; k < labels; ++k) s += "label l" + std::to_string(k) + " when " + condition(2, true) + "\n";
    if (pick(0, 1)) s += "label rest otherwise\n", has_rest_ = true;
    if (v2) s += alerts();
    return s;
  }

  int pick(int lo, int hi) { return choices_.pick(lo, hi); }
  double real(double lo, double hi) { return choices_.real(lo, hi); }
  Choices& choices() { return choices_; }
  static constexpr int kNums = 5;

 private:
  static std::string fmt(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", std::fabs(v));
    return (v < 0 ? "-" : "") + std::string(buf);
  }
  std::string num() { return fmt(std::round(real(-100, 100) * 100) / 100); }
  std::string field() { return "n" + std::to_string(pick(0, kNums - 1)); }

  std::string number_expr(int depth, int measure) {
    if (depth == 0 || pick(0, 3) == 0) {
      switch (pick(0, v2 ? 7 : 5)) {
        case 0: return num();
        case 1: return "p0";
        case 2:
          if (measure > 0) return "m" + std::to_string(pick(0, measure - 1)) + ".score";
          [[fallthrough]];
        default: return field();
        case 6:
        case 7:
          if (measure > 0) return past_number(measure, true);
          return field();
      }
    }
    const std::string a = number_expr(depth - 1, measure), b = number_expr(depth - 1, measure);
    switch (pick(0, 13)) {
      case 0: return "(" + a + " + " + b + ")";
      case 1: return "(" + a + " - " + b + ")";
      case 2: return "(" + a + " * " + b + ")";
      case 3: return "(" + a + " / " + b + ")";
      case 4: return "-" + a;
      case 5: return "min(" + a + ", " + b + ")";
      case 6: return "max(" + a + ", " + b + ", " + num() + ")";
      case 7: return "clamp(" + a + ", 0, " + b + ")";
      case 8: return "abs(" + a + ")";
      case 9: return pick(0, 1) ? "round(" + a + ")" : "log(" + a + ")";
      case 10: return pick(0, 1) ? "sqrt(" + a + ")" : "pct_change(" + a + ", " + b + ")";
      case 11: return "coalesce(" + a + ", " + b + ")";
      case 12: return "if " + condition(1, false) + " then " + a + " else " + b;
      default: return pick(0, 1) ? "days_since(d0)" : "days_between(d0, d0)";
    }
  }

  std::string condition(int depth, bool account) {
    if (depth == 0 || pick(0, 2) == 0) {
      if (account && v2 && pick(0, 2) == 0) return past_condition();
      switch (pick(0, account ? 10 : 7)) {
        case 0: return field() + " < " + num();
        case 1: return field() + " >= " + num();
        case 2: return "e0 == " + std::string(pick(0, 1) ? "a" : "c");
        case 3: return "e0 in [a, b]";
        case 4: return field() + " is missing";
        case 5: return pick(0, 1) ? "b0" : "t0 == \"x\"";
        case 6:
          if (readable_ == 0) return "b0";
          return "m" + std::to_string(pick(0, readable_ - 1)) + ".score > " + std::to_string(pick(0, 100));
        case 7: return "t0 != \"y\"";
        case 8: return "score >= " + std::to_string(pick(0, 100));
        case 9: return "band == " + std::string(pick(0, 1) ? "mid" : "unscored");
        default: return "score is missing";
      }
    }
    const std::string a = condition(depth - 1, account), b = condition(depth - 1, account);
    switch (pick(0, 2)) {
      case 0: return "(" + a + " and " + b + ")";
      case 1: return "(" + a + " or " + b + ")";
      default: return "not (" + a + ")";
    }
  }

  // A number from the past: a measure's previous score or value, or a change; with `measures`
  // only, of measures before `readable` (in a measure), else also of the account's score.
  std::string past_number(int readable, bool measures_only) {
    const int m = readable > 0 ? pick(0, readable - 1) : -1;
    const std::string mm = "m" + std::to_string(m);
    const bool value = m >= 0 && has_value_[static_cast<size_t>(m)] && pick(0, 1);
    const std::string x = m < 0 || (!measures_only && pick(0, 2) == 0) ? "score" : mm + (value ? ".value" : ".score");
    if (pick(0, 1)) {
      if (x == "score") return "previous.score";
      return "previous." + x;
    }
    const int n = pick(0, 3) ? pick(0, 30) : 0;
    return "change(" + x + ", " + std::to_string(n) + (pick(0, 2) ? " days)" : " weeks)");
  }
  // A condition on the past (overrides, labels, alerts) or, in an alert, on the label.
  std::string past_condition() {
    switch (pick(0, in_alert_ ? 6 : 5)) {
      case 0: return "previous.band == " + std::string(pick(0, 2) == 0 ? "unscored" : pick(0, 1) ? "mid" : "low");
      case 1:
        return "previous.segment == " + (segments_ && pick(0, 1) ? "s" + std::to_string(pick(0, segments_ - 1)) : std::string("default"));
      case 2:
        if (labels_ || has_rest_)
          return "previous.label == " + (labels_ && pick(0, 1) ? "l" + std::to_string(pick(0, labels_ - 1)) : std::string(has_rest_ ? "rest" : "l0"));
        [[fallthrough]];
      case 3:
        return "previous.override == " + (overrides_ && pick(0, 1) ? "o" + std::to_string(pick(0, overrides_ - 1)) : std::string("none"));
      case 6:
        if (labels_ || has_rest_) return "label == " + (labels_ ? "l" + std::to_string(pick(0, labels_ - 1)) : std::string("rest"));
        [[fallthrough]];
      case 4: return "previous.score is missing";
      default: {
        static const char* kCmp[] = {" < ", " >= ", " > "};
        return past_number(readable_, false) + kCmp[pick(0, 2)] + std::to_string(pick(-30, 100));
      }
    }
  }
  std::string alerts() {
    static const char* kSeverities[] = {"info", "low", "medium", "high", "critical"};
    std::string s;
    in_alert_ = true;
    const int n = pick(0, 4);
    for (int k = 0; k < n; ++k) {
      s += "alert a" + std::to_string(k);
      if (pick(0, 1)) s += " \"Alert " + std::to_string(k) + "\"";
      if (pick(0, 2) == 0) s += segments_ ? " for s0, default" : " for default";
      s += " when " + condition(2, true);
      if (pick(0, 1)) s += " severity " + std::string(kSeverities[pick(0, 4)]);
      s += "\n";
    }
    in_alert_ = false;
    return s;
  }

  std::string model_body() {
    std::string s;
    std::vector<int> order(measures_);
    for (int i = 0; i < measures_; ++i) order[i] = i;
    choices_.shuffle(order);
    const int used = pick(1, measures_);
    const int in_group = used > 2 && pick(0, 1) ? pick(1, used - 1) : 0;
    for (int i = 0; i < used - in_group; ++i)
      s += "  m" + std::to_string(order[i]) + " " + std::to_string(pick(0, 3) ? pick(1, 60) : 0) + "\n";
    if (in_group) {
      s += "  group g " + std::to_string(pick(1, 60)) + " {\n";
      for (int i = used - in_group; i < used; ++i) s += "    m" + std::to_string(order[i]) + " " + std::to_string(pick(1, 9)) + "\n";
      s += "  }\n";
    }
    return s;
  }

  Choices choices_;
  int measures_ = 0;
  int readable_ = 0;
  // What v2 conditions may name: the card's parts decided so far.
  int segments_ = 0, overrides_ = 0, labels_ = 0;
  bool has_rest_ = false, in_alert_ = false;
  std::vector<bool> has_value_;  // [measure]: it has a value (change(M.value, ..) needs one)
};

using CardGenerator = BasicCardGenerator<RngChoices>;

// Random rows for the generated fields: missing cells, zeros, extremes.
template <typename Choices>
rt::ColumnBlock random_block(const rt::Schema& schema, BasicCardGenerator<Choices>& g, size_t rows) {
  rt::ColumnBlock b;
  b.reset(schema);
  b.rows = rows;
  static const char* kTexts[] = {"x", "y", "", "xx"};
  for (size_t f = 0; f < schema.fields.size(); ++f) {
    const rt::FieldSpec& spec = schema.fields[f];
    b.valid[f].resize(rows);
    if (spec.type == rt::FieldType::Text) b.text[f].resize(rows);
    else b.num[f].resize(rows);
    for (size_t r = 0; r < rows; ++r) {
      const bool present = !spec.optional || g.pick(0, 4) > 0;
      b.valid[f][r] = present;
      switch (spec.type) {
        case rt::FieldType::Text: {
          const std::string_view t = spec.key ? b.keep("k" + std::to_string(r)) : b.keep(kTexts[g.pick(0, 3)]);
          b.text[f][r] = rt::TextRef{t.data(), t.size()};
          break;
        }
        case rt::FieldType::Enum: b.num[f][r] = g.pick(0, 2); break;
        case rt::FieldType::Bool: b.num[f][r] = g.pick(0, 1); break;
        case rt::FieldType::Date: b.num[f][r] = 20000 + g.pick(-400, 400); break;
        case rt::FieldType::Number: {
          const int kind = g.pick(0, 9);
          b.num[f][r] = kind == 0 ? 0.0 : kind == 1 ? 1e300 : kind == 2 ? -1e300 : kind == 3 ? 1e-300
                        : kind == 4 ? std::round(g.real(-5, 5)) : g.real(-200, 200);
          break;
        }
      }
    }
  }
  return b;
}

}  // namespace healthc::test_support
