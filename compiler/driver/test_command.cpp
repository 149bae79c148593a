// `healthc test CARD CASES...`: scorecard unit tests a CS ops person writes in a spreadsheet.
// Each row of a case file is an account (the card's fields) plus `expect_*` columns; an empty
// expectation is not checked. Failing cases print their key, expected and actual, and the
// account's breakdown (as `healthc explain`). `--format junit` writes JUnit XML for CI, `--format
// json` one object with every case.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "compiler/driver/report_svg.h"
#include "compiler/driver/scoring_options.h"
#include "runtime/analysis/test_cases.h"
#include "runtime/io/output_file.h"

namespace healthc::driver {
namespace {

using analysis::CaseResult;

// JUnit XML escapes as HTML does (svg::escape: & < > " ' and control characters).
std::string xml_escape(std::string_view s) { return svg::escape(s); }

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

// Every case with its file, line and failures; the counts per file and in all.
std::string json_report(const std::string& card, const std::vector<std::string>& files,
                        const std::vector<std::vector<CaseResult>>& per_file, const std::vector<std::string>& errors) {
  using json = nlohmann::ordered_json;
  json fs = json::array(), cases = json::array();
  size_t total = 0, failed = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    size_t f = 0;
    for (const CaseResult& c : per_file[i]) {
      f += !c.passed();
      cases.push_back({{"file", c.file}, {"line", c.line}, {"key", c.key}, {"description", c.description},
                       {"passed", c.passed()}, {"failures", c.failures}, {"breakdown", c.breakdown}});
    }
    json entry{{"file", files[i]}, {"cases", per_file[i].size()}, {"passed", per_file[i].size() - f}, {"failed", f}};
    entry["error"] = errors[i].empty() ? json() : json(errors[i]);
    fs.push_back(entry);
    total += per_file[i].size();
    failed += f;
  }
  json j{{"card", card}, {"cases", total}, {"passed", total - failed}, {"failed", failed}, {"files", fs},
         {"results", cases}};
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace

int run_test(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()
      ("card", po::value<std::string>()->required(), "the scorecard (.health)")
      ("cases", po::value<std::vector<std::string>>()->required(), "case files: CSV or JSON Lines")
      ("output,o", po::value<std::string>(), "write the JUnit XML or JSON here (default: standard output)")
      ("verbose,v", po::bool_switch(), "list passing cases too");
  add_scoring_options(opts);
  add_data_options(opts);
  const std::vector<Format> formats{Format::Text, Format::Junit, Format::Json};
  add_format_option(opts, formats, "junit: JUnit XML for CI; json: one object with every case");
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
  Format chosen;
  if (!read_format("test", vm, formats, chosen, code)) return code;
  const std::string format = format_name(chosen);
  if (vm.count("output") && format == "text") return usage_error("test", "-o is for --format junit or json");
  double as_of = 0;
  if (!as_of_days(vm, as_of)) return usage_error("test", "--as-of must be a date YYYY-MM-DD");
  rt::DataReading reading;
  if (!data_reading("test", vm, reading, code)) return code;
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
  note_past_missing("test", vm["card"].as<std::string>(), card->program());

  std::vector<std::vector<CaseResult>> per_file(files.size());
  std::vector<std::string> file_error(files.size());
  std::string text;
  size_t total = 0, failed = 0, file_errors = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    std::string err;
    if (!analysis::run_case_file(*card, files[i], as_of, per_file[i], err, reading)) {
      fmt::print(stderr, "healthc test: {}\n", err);
      file_error[i] = err;
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
  if (format != "text") {
    const std::string xml = format == "junit" ? junit(vm["card"].as<std::string>(), files, per_file)
                                              : json_report(vm["card"].as<std::string>(), files, per_file, file_error);
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
