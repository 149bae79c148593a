// The scoring half of the C API: hc_score_json against `healthc score --explain` on every row
// of the examples, rejections with the reader's reasons, the columnar call against
// hc_score_json, per-row statuses, bad arguments, and many threads on one card.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <cstdlib>
#include <thread>

#include "api_test_util.h"

using namespace api_test;
using nlohmann::json;

namespace {

std::string score_one(const hc_card* card, const std::string& account, int* rc_out = nullptr) {
  char* out = nullptr;
  const int rc = hc_score_json(card, account.data(), account.size(), kAsOf, &out);
  if (rc_out) *rc_out = rc;
  std::string s = out ? out : "";
  hc_free(out);
  return s;
}

// `healthc score --explain` of a card's sample data, one JSON object a row.
std::vector<json> cli_scores(const std::string& card) {
  const std::string out = ::testing::TempDir() + "/cli_" + card + ".jsonl";
  int status = 0;
  run(kHealthc + " score " + card_path(card) + " " + data_path(card) + " --explain --as-of " + kAsOf + " -o " + out +
          " 2>/dev/null",
      &status);
  EXPECT_EQ(status, 0);
  std::vector<json> rows;
  std::ifstream in(out);
  std::string line;
  while (std::getline(in, line)) rows.push_back(json::parse(line));
  return rows;
}

}  // namespace

// Every row of every example: the same key, segment, score, band, color, label, override,
// reasons and measures as the CLI prints with --explain.
TEST(CApiScore, ScoreJsonMatchesScoreExplainOnEveryRow) {
  for (const std::string& name : kCards) {
    CardPtr card = compile_file(card_path(name));
    ASSERT_NE(card, nullptr) << name;
    const Table t = read_csv(data_path(name));
    const std::vector<json> cli = cli_scores(name);
    ASSERT_EQ(cli.size(), t.rows.size()) << name;
    const std::string key = hc_field_name(card.get(), hc_key_field(card.get()));
    for (size_t r = 0; r < t.rows.size(); ++r) {
      int rc = -9;
      const json got = json::parse(score_one(card.get(), row_json(t, r), &rc));
      ASSERT_EQ(rc, HC_OK) << got.dump();
      const json& want = cli[r];
      EXPECT_EQ(got["key"], want[key]);
      for (const char* k : {"segment", "score", "band", "color", "label", "override"}) EXPECT_EQ(got[k], want[k]) << k;
      std::string reasons;
      for (const json& reason : got["reasons"]) {
        if (!reasons.empty()) reasons += "; ";
        reasons += reason["measure"].get<std::string>() + " -" + reason["points"].dump();
        if (reason["points"].is_number_integer()) reasons += ".0";
      }
      EXPECT_EQ(reasons, want["reasons"].get<std::string>()) << name << " row " << r;
      for (size_t m = 0; m < hc_measure_count(card.get()); ++m) {
        const std::string mn = hc_measure_name(card.get(), m);
        for (const char* part : {"value", "score", "weight"})
          EXPECT_EQ(got["measures"][mn][part], want[mn + "." + part]) << name << " row " << r << " " << mn;
      }
    }
  }
}

TEST(CApiScore, RejectedRowsCarryTheReadersReason) {
  CardPtr card = compile_file(card_path("b2b_saas"));
  ASSERT_NE(card, nullptr);
  const Table t = read_csv(data_path("b2b_saas"));
  json row = json::parse(row_json(t, 0));
  row.erase("tier");
  int rc = 0;
  EXPECT_EQ(score_one(card.get(), row.dump(), &rc), "{\"rejected\":\"required field `tier` is absent\"}");
  EXPECT_EQ(rc, HC_REJECTED);
  row = json::parse(row_json(t, 0));
  row["tier"] = "platinum";
  const json got = json::parse(score_one(card.get(), row.dump(), &rc));
  EXPECT_EQ(rc, HC_REJECTED);
  EXPECT_NE(got["rejected"].get<std::string>().find("platinum"), std::string::npos);
  EXPECT_EQ(score_one(card.get(), "[1,2]", &rc), "{\"rejected\":\"expected a json object, found array\"}");
  EXPECT_EQ(rc, HC_REJECTED);
  EXPECT_EQ(json::parse(score_one(card.get(), "{\"account_id\":", &rc))["rejected"].get<std::string>().rfind(
                "malformed json", 0),
            0u);
  EXPECT_EQ(rc, HC_REJECTED);
}

TEST(CApiScore, BadArgumentsAreEinval) {
  CardPtr card = compile_file(card_path("b2b_saas"));
  ASSERT_NE(card, nullptr);
  char* out = reinterpret_cast<char*>(1);
  EXPECT_EQ(hc_score_json(nullptr, "{}", 2, nullptr, &out), HC_EINVAL);
  EXPECT_EQ(out, nullptr);
  EXPECT_EQ(hc_score_json(card.get(), "{}", 2, nullptr, nullptr), HC_EINVAL);
  EXPECT_EQ(hc_score_json(card.get(), nullptr, 2, nullptr, &out), HC_EINVAL);
  EXPECT_EQ(hc_score_json(card.get(), nullptr, 0, nullptr, &out), HC_EINVAL);
  EXPECT_EQ(hc_score_json(card.get(), "{}", 2, "2026-13-01", &out), HC_EINVAL);
  EXPECT_EQ(hc_score_json(card.get(), "{}", 2, "yesterday", &out), HC_EINVAL);
  EXPECT_EQ(out, nullptr);
  EXPECT_EQ(hc_score_columns(card.get(), nullptr, nullptr), HC_EINVAL);
}

namespace {

// A card's sample data in the columnar layout, converted with the card's own metadata.
struct Columns {
  std::vector<std::vector<double>> num;
  std::vector<std::vector<uint8_t>> valid;
  std::vector<std::vector<hc_text>> text;
  std::vector<hc_column> cols;
  size_t rows = 0;
};

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {  // H. Hinnant's algorithm
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

Columns to_columns(const hc_card* card, const Table& t) {
  Columns c;
  const size_t nf = hc_field_count(card);
  c.rows = t.rows.size();
  c.num.resize(nf);
  c.valid.resize(nf);
  c.text.resize(nf);
  for (size_t f = 0; f < nf; ++f) {
    size_t col = 0;
    while (col < t.header.size() && t.header[col] != hc_field_name(card, f)) ++col;
    const int type = hc_field_type(card, f);
    for (const auto& row : t.rows) {
      const std::string& v = row[col];
      c.valid[f].push_back(!v.empty());
      if (type == HC_FIELD_TEXT) {
        c.text[f].push_back(hc_text{v.data(), v.size()});
        continue;
      }
      double x = 0;
      if (v.empty()) {
      } else if (type == HC_FIELD_NUMBER) {
        x = std::strtod(v.c_str(), nullptr);
      } else if (type == HC_FIELD_BOOL) {
        x = v == "true" ? 1 : 0;
      } else if (type == HC_FIELD_DATE) {
        x = static_cast<double>(days_from_civil(std::stoi(v.substr(0, 4)), std::stoi(v.substr(5, 2)),
                                                std::stoi(v.substr(8, 2))));
      } else {
        while (x < hc_field_member_count(card, f) && v != hc_field_member(card, f, static_cast<size_t>(x))) ++x;
      }
      c.num[f].push_back(x);
    }
  }
  for (size_t f = 0; f < nf; ++f)
    c.cols.push_back(hc_column{c.num[f].empty() ? nullptr : c.num[f].data(),
                               c.text[f].empty() ? nullptr : c.text[f].data(), c.valid[f].data()});
  return c;
}

struct Results {
  std::vector<int32_t> segment, score, band, label, override_index;
  std::vector<uint8_t> status;
  std::vector<double> mv, ms, mw;
  std::vector<uint8_t> mvv, msv, mwv;
  hc_batch_out out{};
  Results(size_t rows, size_t measures, bool detail) {
    for (auto* v : {&segment, &score, &band, &label, &override_index}) v->assign(rows, -7);
    status.assign(rows, 9);
    out = hc_batch_out{segment.data(), score.data(), band.data(), label.data(), override_index.data(), status.data(),
                       nullptr,        nullptr,      nullptr,     nullptr,      nullptr,               nullptr};
    if (!detail) return;
    for (auto* v : {&mv, &ms, &mw}) v->assign(rows * measures, 0);
    for (auto* v : {&mvv, &msv, &mwv}) v->assign(rows * measures, 0);
    out.m_value = mv.data(), out.m_value_valid = mvv.data(), out.m_score = ms.data();
    out.m_score_valid = msv.data(), out.m_weight = mw.data(), out.m_weight_valid = mwv.data();
  }
};

std::string name_or(const char* name, const char* otherwise) { return name ? name : otherwise; }

}  // namespace

// The columnar call gives what hc_score_json gives, row by row, measures included.
TEST(CApiScore, ColumnsMatchScoreJson) {
  for (const std::string& name : kCards) {
    CardPtr card = compile_file(card_path(name));
    ASSERT_NE(card, nullptr);
    const hc_card* c = card.get();
    const Table t = read_csv(data_path(name));
    Columns cols = to_columns(c, t);
    const size_t nm = hc_measure_count(c);
    Results res(cols.rows, nm, true);
    const hc_batch_in in{cols.rows, cols.cols.size(), cols.cols.data(), kAsOf};
    ASSERT_EQ(hc_score_columns(c, &in, &res.out), HC_OK);
    for (size_t r = 0; r < cols.rows; ++r) {
      const json want = json::parse(score_one(c, row_json(t, r)));
      ASSERT_EQ(res.status[r], HC_ROW_OK);
      EXPECT_EQ(name_or(hc_segment_name(c, res.segment[r]), "default"), want["segment"]);
      EXPECT_EQ(res.score[r] < 0 ? json(nullptr) : json(res.score[r]), want["score"]);
      EXPECT_EQ(name_or(hc_band_name(c, res.band[r]), "unscored"), want["band"]);
      EXPECT_EQ(res.label[r] < 0 ? json(nullptr) : json(hc_label_name(c, res.label[r])), want["label"]);
      EXPECT_EQ(res.override_index[r] < 0 ? json(nullptr) : json(hc_override_name(c, res.override_index[r])),
                want["override"]);
      for (size_t m = 0; m < nm; ++m) {
        const size_t at = m * cols.rows + r;
        const json& wm = want["measures"][hc_measure_name(c, m)];
        EXPECT_EQ(res.msv[at] ? json(res.ms[at]) : json(nullptr), wm["score"]);
        EXPECT_EQ(res.mwv[at] ? json(res.mw[at]) : json(nullptr), wm["weight"]);
      }
    }
  }
}

TEST(CApiScore, ColumnsMarkRowsTheReadersWouldReject) {
  CardPtr card = compile_file(card_path("b2b_saas"));
  ASSERT_NE(card, nullptr);
  const Table t = read_csv(data_path("b2b_saas"));
  Columns cols = to_columns(card.get(), t);
  cols.valid[1][3] = 0;   // tier (required) missing
  cols.num[1][5] = 17;    // tier: no such member
  cols.num[2][7] = NAN;   // days_live
  cols.valid[6][9] = 0;   // nps is optional: still scored
  cols.text[0][11].size = 0;  // the key (required) present but empty
  Results res(cols.rows, hc_measure_count(card.get()), false);
  const hc_batch_in in{cols.rows, cols.cols.size(), cols.cols.data(), kAsOf};
  ASSERT_EQ(hc_score_columns(card.get(), &in, &res.out), HC_OK);
  EXPECT_EQ(res.status[3], HC_ROW_MISSING_REQUIRED);
  EXPECT_EQ(res.status[5], HC_ROW_INVALID_VALUE);
  EXPECT_EQ(res.status[7], HC_ROW_INVALID_VALUE);
  EXPECT_EQ(res.status[9], HC_ROW_OK);
  EXPECT_EQ(res.status[11], HC_ROW_MISSING_REQUIRED);
  for (size_t r : {3, 5, 7, 11}) {
    EXPECT_EQ(res.score[r], -1);
    EXPECT_EQ(res.segment[r], -1);
    EXPECT_EQ(res.band[r], -1);
  }
  EXPECT_GE(res.score[9], 0);
  // The other rows are scored as when every row is good.
  Columns good = to_columns(card.get(), t);
  Results ref(good.rows, hc_measure_count(card.get()), false);
  const hc_batch_in gin{good.rows, good.cols.size(), good.cols.data(), kAsOf};
  ASSERT_EQ(hc_score_columns(card.get(), &gin, &ref.out), HC_OK);
  for (size_t r = 0; r < good.rows; ++r) {
    if (r != 3 && r != 5 && r != 7 && r != 9 && r != 11) {
      EXPECT_EQ(res.score[r], ref.score[r]) << r;
    }
  }
  // Bad shapes: wrong field count, half the detail arrays, a missing value array.
  hc_batch_in bad = in;
  bad.field_count = 2;
  EXPECT_EQ(hc_score_columns(card.get(), &bad, &res.out), HC_EINVAL);
  hc_batch_out half = res.out;
  half.m_value = ref.score.empty() ? nullptr : reinterpret_cast<double*>(ref.segment.data());
  EXPECT_EQ(hc_score_columns(card.get(), &in, &half), HC_EINVAL);
  cols.cols[2].values = nullptr;
  EXPECT_EQ(hc_score_columns(card.get(), &in, &res.out), HC_EINVAL);
}

// A date is whole days from 0000-01-01 to 9999-12-31, what `YYYY-MM-DD` can say: a value past
// either end is refused, as the readers would refuse the text, on the quick and the exact path.
TEST(CApiScore, ColumnsRefuseDatesTheDateGrammarCannotMake) {
  CardPtr card = compile_file(card_path("b2b_saas"));
  ASSERT_NE(card, nullptr);
  const Table t = read_csv(data_path("b2b_saas"));
  Columns cols = to_columns(card.get(), t);
  ASSERT_GE(cols.rows, 6u);
  size_t date = hc_field_count(card.get());
  for (size_t f = 0; f < hc_field_count(card.get()); ++f)
    if (hc_field_type(card.get(), f) == HC_FIELD_DATE) date = f;
  ASSERT_LT(date, hc_field_count(card.get()));
  const double values[] = {5e8, 2932897, 2932896, -719528, -719529, 20000.5};
  const uint8_t want[] = {HC_ROW_INVALID_VALUE, HC_ROW_INVALID_VALUE, HC_ROW_OK,
                          HC_ROW_OK,            HC_ROW_INVALID_VALUE, HC_ROW_INVALID_VALUE};
  for (size_t r = 0; r < 6; ++r) {
    cols.num[date][r] = values[r];
    cols.valid[date][r] = 1;
  }
  Results res(cols.rows, hc_measure_count(card.get()), false);
  const hc_batch_in in{cols.rows, cols.cols.size(), cols.cols.data(), kAsOf};
  ASSERT_EQ(hc_score_columns(card.get(), &in, &res.out), HC_OK);
  for (size_t r = 0; r < 6; ++r) EXPECT_EQ(res.status[r], want[r]) << "row " << r << ": " << values[r];
}

// The quick checks (four or sixteen values at a time) and the exact per-row pass agree: one bad
// value at any position, of any kind, flags exactly its row, and values at the edges of their
// types are not flagged.
TEST(CApiScore, ColumnsFlagOneBadValueAtAnyPosition) {
  CardPtr card = compile_file(card_path("b2b_saas"));
  ASSERT_NE(card, nullptr);
  const hc_card* c = card.get();
  const Table t = read_csv(data_path("b2b_saas"));
  size_t number = SIZE_MAX, enum3 = SIZE_MAX, date = SIZE_MAX;
  for (size_t f = 0; f < hc_field_count(c); ++f) {
    const std::string name = hc_field_name(c, f);
    if (name == "days_live") number = f;
    if (name == "tier") enum3 = f;
    if (name == "renewal_date") date = f;
  }
  ASSERT_NE(number, SIZE_MAX);
  ASSERT_NE(enum3, SIZE_MAX);
  ASSERT_NE(date, SIZE_MAX);
  const double inf = INFINITY;
  struct Case {
    size_t field;
    double value;
    bool bad;
  };
  const Case cases[] = {
      {number, NAN, true},   {number, inf, true},       {number, -inf, true},      {number, DBL_MAX, false},
      {number, -DBL_MAX, false}, {number, 5e-324, false}, {enum3, -1, true},        {enum3, 3, true},
      {enum3, 1.5, true},    {enum3, NAN, true},        {enum3, inf, true},        {enum3, -0.0, false},
      {enum3, 2, false},     {date, NAN, true},         {date, -inf, true},        {date, 0.25, true},
      {date, -719528, false}, {date, 2932896, false},
  };
  Columns base = to_columns(c, t);
  ASSERT_GE(base.rows, 200u);
  for (const Case& k : cases) {
    for (size_t at : {0, 1, 3, 4, 7, 8, 15, 16, 17, 100, 198, 199}) {
      Columns cols = to_columns(c, t);
      cols.num[k.field][at] = k.value;
      cols.valid[k.field][at] = 1;
      Results res(cols.rows, hc_measure_count(c), false);
      const hc_batch_in in{cols.rows, cols.cols.size(), cols.cols.data(), kAsOf};
      ASSERT_EQ(hc_score_columns(c, &in, &res.out), HC_OK);
      for (size_t r = 0; r < cols.rows; ++r) {
        const bool want_bad = k.bad && r == at;
        ASSERT_EQ(res.status[r], want_bad ? HC_ROW_INVALID_VALUE : HC_ROW_OK)
            << hc_field_name(c, k.field) << " = " << k.value << " at row " << at << ", row " << r;
      }
    }
  }
}

// Past one chunk of rows (16384, runtime/api/score_columns.cpp), with detail and without, with NaN in missing cells and
// columns given without validity: every row as when scored alone in a small block.
TEST(CApiScore, ColumnsScoreLargeBlocksAsSmallOnes) {
  CardPtr card = compile_file(card_path("b2b_saas"));
  ASSERT_NE(card, nullptr);
  const hc_card* c = card.get();
  Table t = read_csv(data_path("b2b_saas"));
  const Columns small = to_columns(c, t);
  Results ref(small.rows, hc_measure_count(c), true);
  const hc_batch_in sin{small.rows, small.cols.size(), small.cols.data(), kAsOf};
  ASSERT_EQ(hc_score_columns(c, &sin, &ref.out), HC_OK);
  const Table one = t;
  while (t.rows.size() < 20000) t.rows.insert(t.rows.end(), one.rows.begin(), one.rows.end());
  Columns big = to_columns(c, t);
  for (size_t f = 0; f < big.cols.size(); ++f) {
    for (size_t r = 0; r < big.rows; ++r)
      if (!big.valid[f][r] && !big.num[f].empty()) big.num[f][r] = NAN;
  }
  big.cols[0].valid = nullptr;  // the key: every row present
  big.valid[1][16500] = 0;      // tier missing in the second chunk
  const size_t nm = hc_measure_count(c);
  for (bool detail : {false, true}) {
    Results res(big.rows, nm, detail);
    const hc_batch_in in{big.rows, big.cols.size(), big.cols.data(), kAsOf};
    ASSERT_EQ(hc_score_columns(c, &in, &res.out), HC_OK);
    for (size_t r = 0; r < big.rows; ++r) {
      const size_t s = r % small.rows;
      if (r == 16500) {
        EXPECT_EQ(res.status[r], HC_ROW_MISSING_REQUIRED);
        EXPECT_EQ(res.score[r], -1);
        continue;
      }
      ASSERT_EQ(res.status[r], HC_ROW_OK) << r;
      EXPECT_EQ(res.score[r], ref.score[s]) << r;
      EXPECT_EQ(res.band[r], ref.band[s]) << r;
      EXPECT_EQ(res.label[r], ref.label[s]) << r;
      if (!detail) continue;
      for (size_t m = 0; m < nm; ++m) {
        EXPECT_EQ(res.msv[m * big.rows + r], ref.msv[m * small.rows + s]);
        if (ref.msv[m * small.rows + s]) {
          EXPECT_EQ(res.ms[m * big.rows + r], ref.ms[m * small.rows + s]);
        }
      }
    }
  }
}

// One card, many threads, both calls at once: every thread sees the single-thread results.
TEST(CApiScore, OneCardScoresFromManyThreads) {
  CardPtr card = compile_file(card_path("lifecycle"));
  ASSERT_NE(card, nullptr);
  const Table t = read_csv(data_path("lifecycle"));
  std::vector<std::string> accounts, expected;
  for (size_t r = 0; r < t.rows.size(); ++r) {
    accounts.push_back(row_json(t, r));
    expected.push_back(score_one(card.get(), accounts.back()));
  }
  Columns cols = to_columns(card.get(), t);
  Results ref(cols.rows, 0, false);
  const hc_batch_in in{cols.rows, cols.cols.size(), cols.cols.data(), kAsOf};
  ASSERT_EQ(hc_score_columns(card.get(), &in, &ref.out), HC_OK);
  std::vector<int> mismatches(8, 0);
  std::vector<std::thread> threads;
  for (int th = 0; th < 8; ++th)
    threads.emplace_back([&, th] {
      for (int round = 0; round < 5; ++round) {
        for (size_t r = 0; r < accounts.size(); ++r)
          if (score_one(card.get(), accounts[r]) != expected[r]) ++mismatches[th];
        Results mine(cols.rows, 0, false);
        if (hc_score_columns(card.get(), &in, &mine.out) != HC_OK || mine.score != ref.score ||
            mine.band != ref.band)
          ++mismatches[th];
      }
    });
  for (auto& th : threads) th.join();
  for (int th = 0; th < 8; ++th) EXPECT_EQ(mismatches[th], 0) << "thread " << th;
}

TEST(CApiScore, EvaluatorAgreesWithJit) {
  hc_options* opts = hc_options_new();
  hc_options_set_engine(opts, HC_ENGINE_EVALUATOR);
  for (const std::string& name : kCards) {
    CardPtr jit = compile_file(card_path(name));
    CardPtr ev = compile_file(card_path(name), opts);
    ASSERT_NE(jit, nullptr);
    ASSERT_NE(ev, nullptr);
    const Table t = read_csv(data_path(name));
    for (size_t r = 0; r < t.rows.size(); ++r)
      EXPECT_EQ(score_one(jit.get(), row_json(t, r)), score_one(ev.get(), row_json(t, r))) << name << " " << r;
  }
  hc_options_free(opts);
}

// A card that reads the past, through both calls (no store): every past value missing, so the
// trend measure built on change(...) is unscored on every row, nothing crashes, and the two
// calls agree.
TEST(CApiScore, ACardThatReadsThePastScoresWithThePastMissing) {
  CardPtr card = compile_file(kRoot + "/examples/b2b_saas_v2.health");
  ASSERT_NE(card, nullptr);
  const hc_card* c = card.get();
  Table t = read_csv(data_path("b2b_saas"));
  t.header.push_back("csm_pulse_date");
  for (size_t r = 0; r < t.rows.size(); ++r) t.rows[r].push_back(r % 2 ? "2026-10-20" : "");
  Columns cols = to_columns(c, t);
  const size_t nm = hc_measure_count(c);
  size_t trend = nm;
  for (size_t m = 0; m < nm; ++m)
    if (std::string(hc_measure_name(c, m)) == "adoption_trend") trend = m;
  ASSERT_LT(trend, nm);
  Results res(cols.rows, nm, true);
  const hc_batch_in in{cols.rows, cols.cols.size(), cols.cols.data(), kAsOf};
  ASSERT_EQ(hc_score_columns(c, &in, &res.out), HC_OK);
  for (size_t r = 0; r < cols.rows; ++r) {
    ASSERT_EQ(res.status[r], HC_ROW_OK);
    EXPECT_EQ(res.msv[trend * cols.rows + r], 0) << "row " << r;
    const json want = json::parse(score_one(c, row_json(t, r)));
    EXPECT_EQ(res.score[r] < 0 ? json(nullptr) : json(res.score[r]), want["score"]) << "row " << r;
    EXPECT_EQ(want["measures"]["adoption_trend"]["score"], json(nullptr));
  }
  // Without detail, in chunks (the weighted score and alert and stale masks the call does not
  // return go to its own buffers): the same results, more rows than one chunk.
  Table big = t;
  while (big.rows.size() < 20000) big.rows.insert(big.rows.end(), t.rows.begin(), t.rows.end());
  Columns bcols = to_columns(c, big);
  Results basic(bcols.rows, nm, false);
  const hc_batch_in bin{bcols.rows, bcols.cols.size(), bcols.cols.data(), kAsOf};
  ASSERT_EQ(hc_score_columns(c, &bin, &basic.out), HC_OK);
  for (size_t r = 0; r < bcols.rows; ++r) {
    const size_t at = r % cols.rows;
    ASSERT_EQ(basic.status[r], HC_ROW_OK);
    EXPECT_EQ(basic.segment[r], res.segment[at]) << "row " << r;
    EXPECT_EQ(basic.score[r], res.score[at]) << "row " << r;
    EXPECT_EQ(basic.label[r], res.label[at]) << "row " << r;
  }
}
