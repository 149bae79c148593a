// `healthc test CARD CASES...`: scorecard unit tests a CS ops person writes in a spreadsheet.
// Each row of a case file is an account (the card's fields) plus `expect_*` columns; an empty
// expectation is not checked. Failing cases print their key, expected and actual, and the
// account's breakdown (as `healthc explain`). `--format junit` writes JUnit XML for CI.
#include <fmt/format.h>

#include <charconv>
#include <optional>

#include "compiler/driver/dataset.h"
#include "compiler/driver/scoring_options.h"
#include "runtime/io/output_file.h"

namespace healthc::driver {

std::string explain_row(const ir::Program& p, const BlockScores& s, size_t row, const std::string& key);

namespace {

// The columns a case file may carry besides the card's fields.
enum Expect { kSegment, kScore, kBand, kLabel, kOverride, kDescription, kColumns };
const std::vector<std::string> kExpectColumns = {"expect_segment", "expect_score",    "expect_band",
                                                 "expect_label",   "expect_override", "description"};

struct CaseResult {
  std::string file, key, description;
  uint64_t line = 0;
  std::vector<std::string> failures;  // "band: expected healthy, got at_risk"
  std::string breakdown;              // explain_row, for failing cases
  bool passed() const { return failures.empty(); }
};

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

std::optional<int> parse_int(std::string_view s) {
  int v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// `expect_score`: N, LO..HI (both ends included), ..HI, LO.., or `unscored`.
struct ScoreExpectation {
  bool unscored = false;
  int lo = 0, hi = 100;
};
std::optional<ScoreExpectation> parse_score_expectation(const std::string& s) {
  ScoreExpectation e;
  if (s == "unscored") {
    e.unscored = true;
    return e;
  }
  const size_t dots = s.find("..");
  if (dots == std::string::npos) {
    auto v = parse_int(s);
    if (!v) return std::nullopt;
    e.lo = e.hi = *v;
    return e;
  }
  const std::string a = trim(std::string_view(s).substr(0, dots)), b = trim(std::string_view(s).substr(dots + 2));
  if (a.empty() && b.empty()) return std::nullopt;
  if (!a.empty()) {
    auto v = parse_int(a);
    if (!v) return std::nullopt;
    e.lo = *v;
  }
  if (!b.empty()) {
    auto v = parse_int(b);
    if (!v) return std::nullopt;
    e.hi = *v;
  }
  if (e.lo > e.hi) return std::nullopt;
  return e;
}

// Checks one named expectation (segment, band, label, override) against the actual name.
void check_name(CaseResult& r, const char* what, const std::string& expected, const std::string& actual,
                const std::vector<std::string>& known, const char* none_word) {
  if (expected.empty()) return;
  const bool none_allowed = *none_word != '\0';
  if (!(none_allowed && expected == "-") && std::find(known.begin(), known.end(), expected) == known.end()) {
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
    if (none_allowed) list += (list.empty() ? "" : ", or ") + std::string(none_word);
    r.failures.push_back(fmt::format("{}: expected `{}`, which is not {} {} of the card ({})", what, expected,
                                     what[0] == 'o' ? "an" : "a", what, list));
    return;
  }
  const std::string shown = actual.empty() ? "-" : actual;
  if (shown != expected)
    r.failures.push_back(fmt::format("{}: expected {}, got {}", what, expected == "-" ? std::string("none (-)") : expected,
                                     actual.empty() ? std::string("none") : actual));
}

std::string xml_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') out += ' ';
        else out += c;
    }
  }
  return out;
}

std::string indent(const std::string& text, size_t n) {
  std::string out, pad(n, ' ');
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    out += pad + text.substr(start, nl - start) + "\n";
    start = nl + 1;
  }
  return out;
}

// The cases of one file, or an error that stops the whole file.
bool run_file(const Scorecard& card, const std::string& path, double as_of, std::vector<CaseResult>& out,
              std::string& error) {
  const ir::Program& p = card.program();
  Dataset data;
  if (!load_dataset(card, path, kExpectColumns, data, error)) return false;
  // A misspelt expectation column would silently check nothing.
  if (!data.header.empty()) {
    size_t start = 0;
    while (start <= data.header.size()) {
      size_t comma = data.header.find(',', start);
      if (comma == std::string::npos) comma = data.header.size();
      std::string col = trim(std::string_view(data.header).substr(start, comma - start));
      if (col.size() >= 2 && col.front() == '"' && col.back() == '"') col = col.substr(1, col.size() - 2);
      if (col.rfind("expect_", 0) == 0 &&
          std::find(kExpectColumns.begin(), kExpectColumns.end(), col) == kExpectColumns.end()) {
        error = fmt::format("{}: unknown column `{}`: expectations are expect_segment, expect_score, expect_band, "
                            "expect_label and expect_override",
                            data.display_name(), col);
        return false;
      }
      start = comma + 1;
    }
  }
  bool any_expectation = false;
  for (size_t e = 0; e < kDescription; ++e) any_expectation |= data.extra_present[e];
  if (!any_expectation && data.rows > 0) {
    error = fmt::format("{}: no expect_* column, so nothing would be checked", data.display_name());
    return false;
  }

  std::vector<std::string> segments, bands, labels, overrides;
  for (const auto& s : p.segments) segments.push_back(s.name);
  segments.push_back("default");
  for (const auto& b : p.bands) bands.push_back(b.name);
  bands.push_back("unscored");
  for (const auto& l : p.labels) labels.push_back(l.name);
  for (const auto& o : p.overrides) overrides.push_back(o.name);

  // Rows that could not be read are failing cases, in line order with the others.
  std::vector<CaseResult> results;
  for (const rt::Reject& rj : data.rejects)
    results.push_back(CaseResult{data.display_name(), fmt::format("line {}", rj.line), "", rj.line,
                                 {"the row cannot be read: " + rj.reason}, ""});
  const int32_t kf = p.key_field;
  for (const rt::ColumnBlock& block : data.blocks) {
    BlockScores s;
    card.score(block, as_of, true, s);
    for (size_t r = 0; r < block.rows; ++r) {
      auto cell = [&](Expect e) { return trim(block.extra[e][r].view()); };
      CaseResult c{data.display_name(), std::string(block.text[kf][r].view()), cell(kDescription), block.line[r], {}, ""};
      const int32_t seg = s.segment[r], band = s.band[r];
      check_name(c, "segment", cell(kSegment), segments[seg], segments, "");
      if (const std::string e = cell(kScore); !e.empty()) {
        const std::string actual = s.score[r] < 0 ? "unscored" : fmt::format("{}", s.score[r]);
        if (auto x = parse_score_expectation(e); !x) {
          c.failures.push_back(fmt::format("score: expected `{}`, which is not a score (0-100), a range like 60..70, "
                                           "or `unscored`", e));
        } else if (x->unscored ? s.score[r] >= 0 : (s.score[r] < x->lo || s.score[r] > x->hi)) {
          c.failures.push_back(fmt::format("score: expected {}, got {}", e, actual));
        }
      }
      check_name(c, "band", cell(kBand), bands[band], bands, "");
      check_name(c, "label", cell(kLabel), s.label[r] < 0 ? "" : labels[s.label[r]], labels, "- for none");
      check_name(c, "override", cell(kOverride), s.override_[r] < 0 ? "" : overrides[s.override_[r]], overrides,
                 "- for none");
      if (!c.passed()) c.breakdown = explain_row(p, s, r, c.key);
      results.push_back(std::move(c));
    }
  }
  std::stable_sort(results.begin(), results.end(), [](const CaseResult& a, const CaseResult& b) { return a.line < b.line; });
  out.insert(out.end(), std::make_move_iterator(results.begin()), std::make_move_iterator(results.end()));
  return true;
}

std::string junit(const std::string& card, const std::vector<std::string>& files,
                  const std::vector<std::vector<CaseResult>>& per_file) {
  size_t tests = 0, failures = 0;
  for (const auto& f : per_file)
    for (const auto& c : f) ++tests, failures += !c.passed();
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += fmt::format("<testsuites name=\"healthc test {}\" tests=\"{}\" failures=\"{}\" errors=\"0\">\n", xml_escape(card),
                   tests, failures);
  for (size_t i = 0; i < files.size(); ++i) {
    size_t ff = 0;
    for (const auto& c : per_file[i]) ff += !c.passed();
    x += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\">\n", xml_escape(files[i]),
                     per_file[i].size(), ff);
    for (const auto& c : per_file[i]) {
      const std::string name = c.description.empty() ? c.key : c.key + ": " + c.description;
      x += fmt::format("    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" line=\"{}\"", xml_escape(card),
                       xml_escape(name), xml_escape(c.file), c.line);
      if (c.passed()) {
        x += "/>\n";
        continue;
      }
      std::string msg;
      for (const auto& f : c.failures) msg += (msg.empty() ? "" : "; ") + f;
      x += fmt::format(">\n      <failure type=\"expectation\" message=\"{}\">{}</failure>\n    </testcase>\n",
                       xml_escape(msg), xml_escape(c.breakdown));
    }
    x += "  </testsuite>\n";
  }
  x += "</testsuites>\n";
  return x;
}

}  // namespace

int run_test(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()
      ("card", po::value<std::string>()->required(), "the scorecard (.health)")
      ("cases", po::value<std::vector<std::string>>()->required(), "case files: CSV or JSON Lines")
      ("format", po::value<std::string>()->default_value("text"), "`text`, or `junit` (JUnit XML for CI)")
      ("output,o", po::value<std::string>(), "write the JUnit XML here (default: standard output)")
      ("verbose,v", po::bool_switch(), "list passing cases too");
  add_scoring_options(opts);
  po::positional_options_description pos;
  pos.add("card", 1).add("cases", -1);
  po::variables_map vm;
  int code = kExitOk;
  if (!parse_options("test",
                     "CARD CASES... [options]\n\nRuns scorecard test cases: each row is an account plus expectations "
                     "in the columns\nexpect_segment, expect_score (N, LO..HI with both ends included, or unscored), "
                     "expect_band,\nexpect_label and expect_override (a name, or - for none), and an optional "
                     "description.\nAn empty expectation is not checked. Exit 0 when every case passes, 1 when any "
                     "fails,\n2 on usage errors. -o replaces its file only when every case file was read (passing "
                     "or failing:\nthe XML reports both); otherwise an existing file stays as it was.",
                     opts, pos, args, vm, code))
    return code;
  const std::string format = vm["format"].as<std::string>();
  if (format != "text" && format != "junit") return usage_error("test", "--format must be `text` or `junit`");
  if (vm.count("output") && format != "junit") return usage_error("test", "-o is for --format junit");
  double as_of = 0;
  if (!as_of_days(vm, as_of)) return usage_error("test", "--as-of must be a date YYYY-MM-DD");
  const auto& files = vm["cases"].as<std::vector<std::string>>();
  const std::string out_path = vm.count("output") ? vm["output"].as<std::string>() : "-";
  std::vector<rt::NamedPath> inputs{{"CARD", vm["card"].as<std::string>()}};
  for (const std::string& f : files) inputs.push_back({"CASES", f});
  if (std::string clash = rt::check_distinct(inputs, {{"-o", out_path}}); !clash.empty())
    return usage_error("test", clash);
  // Opened before the card compiles, so an unwritable path fails at once; the XML replaces
  // an existing file only at commit().
  rt::OutputFile out;
  if (out_path != "-")
    if (std::string e = out.open(out_path); !e.empty()) {
      fmt::print(stderr, "healthc test: {}\n", e);
      return kExitErrors;
    }
  auto card = load_scorecard("test", vm, code, true);
  if (!card) return code;

  std::vector<std::vector<CaseResult>> per_file(files.size());
  std::string text;
  size_t total = 0, failed = 0, file_errors = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    std::string err;
    if (!run_file(*card, files[i], as_of, per_file[i], err)) {
      fmt::print(stderr, "healthc test: {}\n", err);
      ++file_errors;
      continue;
    }
    size_t f = 0;
    for (const CaseResult& c : per_file[i]) {
      if (c.passed()) {
        if (vm["verbose"].as<bool>()) text += fmt::format("PASS {} ({}:{})\n", c.key, c.file, c.line);
        continue;
      }
      ++f;
      text += fmt::format("FAIL {} ({}:{}){}\n", c.key, c.file, c.line, c.description.empty() ? "" : ": " + c.description);
      for (const auto& why : c.failures) text += "  " + why + "\n";
      if (!c.breakdown.empty()) text += indent(c.breakdown, 4);
    }
    text += fmt::format("{}: {} case{}, {} passed, {} failed\n", files[i] == "-" ? "<stdin>" : files[i],
                        per_file[i].size(), per_file[i].size() == 1 ? "" : "s", per_file[i].size() - f, f);
    total += per_file[i].size();
    failed += f;
  }
  if (files.size() > 1)
    text += fmt::format("{} cases in {} files: {} passed, {} failed\n", total, files.size(), total - failed, failed);
  if (format == "junit") {
    const std::string xml = junit(vm["card"].as<std::string>(), files, per_file);
    if (out.is_open()) {
      // Failing cases are what the XML is for; a case file that could not be read would make
      // it silently short, so then the old file stays.
      if (file_errors) {
        out.abandon();
        fmt::print(stderr, "healthc test: `{}` was not written: not every case file could be read\n", out_path);
      } else {
        out.write(xml);
        if (std::string e = out.commit(); !e.empty()) {
          fmt::print(stderr, "healthc test: {}\n", e);
          return kExitErrors;
        }
      }
      fmt::print("{}", text);
    } else {
      fmt::print("{}", xml);
      fmt::print(stderr, "{}", text);
    }
  } else {
    fmt::print("{}", text);
  }
  return failed || file_errors ? kExitErrors : kExitOk;
}

}  // namespace healthc::driver
