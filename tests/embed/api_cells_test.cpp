// hc_parse_cells, hc_cell_reason and hc_reasons_text: columns filled from the examples' CSV
// text score as `healthc score` does, reasons column included; a bad row's reason, put
// together from its cells' reasons, is the CLI's word for word; bad arguments are HC_EINVAL.
#include <gtest/gtest.h>

#include "api_test_util.h"

using namespace api_test;

namespace {

// A card's sample data as columns, every cell through hc_parse_cells.
struct TextColumns {
  size_t rows = 0;
  std::vector<std::vector<hc_text>> cells;
  std::vector<std::vector<double>> num;
  std::vector<std::vector<uint8_t>> valid, status;
  std::vector<hc_column> cols;
};

TextColumns parse_table(const hc_card* card, const Table& t) {
  TextColumns c;
  c.rows = t.rows.size();
  const size_t nf = hc_field_count(card);
  c.cells.resize(nf), c.num.resize(nf), c.valid.resize(nf), c.status.resize(nf);
  for (size_t f = 0; f < nf; ++f) {
    size_t col = 0;
    while (col < t.header.size() && t.header[col] != hc_field_name(card, f)) ++col;
    for (const auto& row : t.rows) c.cells[f].push_back(hc_text{row[col].data(), row[col].size()});
    c.num[f].assign(c.rows, -1), c.valid[f].assign(c.rows, 9), c.status[f].assign(c.rows, 9);
    EXPECT_EQ(hc_parse_cells(card, f, c.cells[f].data(), c.rows, c.num[f].data(), c.valid[f].data(),
                             c.status[f].data()),
              HC_OK);
    const bool text = hc_field_type(card, f) == HC_FIELD_TEXT;
    c.cols.push_back(hc_column{text ? nullptr : c.num[f].data(), text ? c.cells[f].data() : nullptr, c.valid[f].data()});
  }
  return c;
}

struct Detail {
  std::vector<int32_t> segment, score, band, label, override_index;
  std::vector<uint8_t> status, mvv, msv, mwv;
  std::vector<double> mv, ms, mw;
  hc_batch_out out{};
  Detail(size_t rows, size_t nm)
      : segment(rows), score(rows), band(rows), label(rows), override_index(rows), status(rows), mvv(rows * nm),
        msv(rows * nm), mwv(rows * nm), mv(rows * nm), ms(rows * nm), mw(rows * nm) {
    out = hc_batch_out{segment.data(), score.data(), band.data(), label.data(), override_index.data(), status.data(),
                       mv.data(),      mvv.data(),   ms.data(),   msv.data(),   mw.data(),             mwv.data()};
  }
};

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream s(text);
  std::string line;
  while (std::getline(s, line)) out.push_back(line);
  return out;
}

// A row's reason as the readers word it: one bad cell's reason, or `N bad cells: A; B`.
std::string row_reason(const hc_card* card, const std::vector<std::string>& header, const std::vector<std::string>& row) {
  std::vector<std::string> why;
  for (size_t f = 0; f < hc_field_count(card); ++f) {
    size_t col = 0;
    while (col < header.size() && header[col] != hc_field_name(card, f)) ++col;
    char* reason = nullptr;
    const int rc = hc_cell_reason(card, f, row[col].data(), row[col].size(), &reason);
    EXPECT_TRUE(rc == HC_OK || rc == HC_REJECTED);
    EXPECT_EQ(rc == HC_REJECTED, reason != nullptr);
    if (reason) why.push_back(reason);
    hc_free(reason);
  }
  if (why.size() == 1) return why[0];
  std::string out = std::to_string(why.size()) + " bad cells: ";
  for (size_t i = 0; i < why.size(); ++i) out += (i ? "; " : "") + why[i];
  return out;
}

}  // namespace

// Every example row: cells read by hc_parse_cells, scored by hc_score_columns, reasons by
// hc_reasons_text, give the CLI's CSV output cell for cell.
TEST(CApiCells, ParsedColumnsScoreAsTheCli) {
  for (const std::string& name : kCards) {
    CardPtr card = compile_file(card_path(name));
    ASSERT_NE(card, nullptr);
    const hc_card* c = card.get();
    const Table t = read_csv(data_path(name));
    TextColumns cols = parse_table(c, t);
    for (const auto& s : cols.status)
      for (uint8_t v : s) ASSERT_EQ(v, HC_ROW_OK);
    Detail d(cols.rows, hc_measure_count(c));
    const hc_batch_in in{cols.rows, cols.cols.size(), cols.cols.data(), kAsOf};
    ASSERT_EQ(hc_score_columns(c, &in, &d.out), HC_OK);
    char* text = nullptr;
    size_t len = 0;
    ASSERT_EQ(hc_reasons_text(c, &d.out, cols.rows, &text, &len), HC_OK);
    const std::vector<std::string> reasons = lines(std::string(text, len));
    hc_free(text);
    ASSERT_EQ(reasons.size(), cols.rows);
    const std::string out = ::testing::TempDir() + "/cells_" + name + ".csv";
    int status = 0;
    run(kHealthc + " score " + card_path(name) + " " + data_path(name) + " --as-of " + kAsOf + " -o " + out +
            " 2>/dev/null",
        &status);
    ASSERT_EQ(status, 0);
    const Table cli = read_csv(out);
    ASSERT_EQ(cli.rows.size(), cols.rows);
    auto name_or = [](const char* n, const char* otherwise) { return std::string(n ? n : otherwise); };
    for (size_t r = 0; r < cols.rows; ++r) {
      const auto& w = cli.rows[r];
      ASSERT_EQ(w.size(), 8u);
      EXPECT_EQ(name_or(hc_segment_name(c, d.segment[r]), "default"), w[1]) << name << " row " << r;
      EXPECT_EQ(d.score[r] < 0 ? "" : std::to_string(d.score[r]), w[2]);
      EXPECT_EQ(name_or(hc_band_name(c, d.band[r]), "unscored"), w[3]);
      EXPECT_EQ(name_or(hc_label_name(c, d.label[r]), ""), w[5]);
      EXPECT_EQ(name_or(hc_override_name(c, d.override_index[r]), ""), w[6]);
      EXPECT_EQ(reasons[r], w[7]) << name << " row " << r;
    }
  }
}

// Bad cells: statuses from hc_parse_cells, and each rejected row's reason assembled from
// hc_cell_reason equal to what `healthc score` prints for that row.
TEST(CApiCells, CellReasonsAreTheReadersReasons) {
  CardPtr card = compile_file(card_path("b2b_saas"));
  ASSERT_NE(card, nullptr);
  const hc_card* c = card.get();
  const std::string data = ::testing::TempDir() + "/cells_bad.csv";
  {
    std::ofstream f(data);
    f << "account_id,tier,days_live,active_users,seats,p1_open,nps,csm_pulse,logins_30d,logins_prev_30d,renewal_date,"
         "churned\n"
         "acc-1,gold,12,4,7,1,-3,green,44,48,2027-04-07,0\n"
         "acc-2,smb,,4,7,1,-3,green,44,48,2027-13-07,0\n"
         ",smb,1,4,7,1,NA,green,44,48,2027-12-07,0\n"
         "acc-4,smb,1,4,7,1,inf,blue,44,48,27-12-07,0\n"
         "acc-5, smb ,1,4,7,1, 5 ,,44,,,0\n";
  }
  const Table t = read_csv(data);
  int status = 0;
  const std::string err = run(kHealthc + " score " + card_path("b2b_saas") + " " + data + " --as-of " + kAsOf +
                                  " -o /dev/null 2>&1",
                              &status);
  const std::vector<std::string> want = lines(err);
  for (size_t r = 0; r < 4; ++r) {
    const std::string prefix = data + ":" + std::to_string(r + 2) + ": rejected: ";
    ASSERT_GT(want.size(), r);
    ASSERT_EQ(want[r].rfind(prefix, 0), 0u) << want[r];
    EXPECT_EQ(row_reason(c, t.header, t.rows[r]), want[r].substr(prefix.size()));
  }
  TextColumns cols = parse_table(c, t);
  // tier: a non-member, then members (trimmed: ` smb ` is smb, as the reader takes it).
  EXPECT_EQ(cols.status[1][0], HC_ROW_INVALID_VALUE);
  EXPECT_EQ(cols.status[1][4], HC_ROW_OK);
  EXPECT_EQ(cols.num[1][4], 2);
  EXPECT_EQ(cols.status[2][1], HC_ROW_MISSING_REQUIRED);  // days_live empty
  EXPECT_EQ(cols.status[0][2], HC_ROW_MISSING_REQUIRED);  // the key empty
  EXPECT_EQ(cols.status[6][2], HC_ROW_INVALID_VALUE);     // nps NA
  EXPECT_EQ(cols.num[6][4], 5);
  EXPECT_EQ(cols.status[7][4], HC_ROW_OK);  // csm_pulse empty: optional, missing
  EXPECT_EQ(cols.valid[7][4], 0);
  EXPECT_EQ(cols.num[10][0], 20915);  // 2027-04-07 in days since 1970-01-01
  char* reason = nullptr;
  EXPECT_EQ(hc_cell_reason(c, 1, "smb", 3, &reason), HC_OK);
  EXPECT_EQ(reason, nullptr);
}

TEST(CApiCells, BadArgumentsAreEinval) {
  CardPtr card = compile_file(card_path("b2b_saas"));
  ASSERT_NE(card, nullptr);
  const hc_card* c = card.get();
  hc_text cell{"1", 1};
  double v = 0;
  uint8_t valid = 0, status = 0;
  EXPECT_EQ(hc_parse_cells(nullptr, 2, &cell, 1, &v, &valid, &status), HC_EINVAL);
  EXPECT_EQ(hc_parse_cells(c, hc_field_count(c), &cell, 1, &v, &valid, &status), HC_EINVAL);
  EXPECT_EQ(hc_parse_cells(c, 2, &cell, 1, nullptr, &valid, &status), HC_EINVAL);  // a number needs values
  EXPECT_EQ(hc_parse_cells(c, 0, &cell, 1, nullptr, &valid, &status), HC_OK);      // a text field does not
  hc_text broken{nullptr, 3};
  EXPECT_EQ(hc_parse_cells(c, 2, &broken, 1, &v, &valid, &status), HC_EINVAL);
  char* reason = nullptr;
  EXPECT_EQ(hc_cell_reason(c, 99, "x", 1, &reason), HC_EINVAL);
  EXPECT_EQ(hc_cell_reason(c, 1, nullptr, 2, &reason), HC_EINVAL);
  EXPECT_EQ(hc_cell_reason(c, 1, "x", 1, nullptr), HC_EINVAL);
  char* text = nullptr;
  size_t len = 7;
  hc_batch_out none{};
  EXPECT_EQ(hc_reasons_text(c, &none, 1, &text, &len), HC_EINVAL);  // no detail
  EXPECT_EQ(text, nullptr);
  EXPECT_EQ(len, 0u);
  EXPECT_EQ(hc_reasons_text(c, &none, 0, &text, &len), HC_OK);  // no rows: an empty text
  ASSERT_NE(text, nullptr);
  EXPECT_EQ(len, 0u);
  hc_free(text);
}
