// `healthc explain-code CODE` (as `rustc --explain`): a diagnostic code's explanation and fixed
// example, from docs/diagnostics.md as embedded in the binary (diagnostics_doc, a build step).
#include <fmt/format.h>

#include <cctype>
#include <string_view>

#include "compiler/diag/suggest.h"
#include "compiler/driver/cli.h"

namespace healthc::driver {

std::string_view diagnostics_doc();

namespace {

// The text of the page's `### CODE` section, without its heading; empty when it has none.
std::string_view section(std::string_view doc, const std::string& code) {
  const std::string heading = "\n### " + code + "\n";
  const size_t at = doc.find(heading);
  if (at == std::string_view::npos) return {};
  const size_t from = at + heading.size();
  size_t to = doc.find("\n### ", from);
  if (to == std::string_view::npos) to = doc.find("\n## ", from);
  std::string_view body = doc.substr(from, to == std::string_view::npos ? std::string_view::npos : to - from);
  while (!body.empty() && body.front() == '\n') body.remove_prefix(1);
  while (!body.empty() && body.back() == '\n') body.remove_suffix(1);
  return body;
}

std::vector<std::string> all_codes(std::string_view doc) {
  std::vector<std::string> out;
  for (size_t at = doc.find("\n### "); at != std::string_view::npos; at = doc.find("\n### ", at + 1)) {
    const size_t eol = doc.find('\n', at + 1);
    out.emplace_back(doc.substr(at + 5, eol - at - 5));
  }
  return out;
}

}  // namespace

int run_explain_code(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("code", po::value<std::string>()->required(), "a diagnostic code, such as E0101 or W201");
  po::positional_options_description pos;
  pos.add("code", 1);
  po::variables_map vm;
  int exit_code = kExitOk;
  if (!parse_options("explain-code", "CODE\n\nPrints what a diagnostic code means, with an example and its fix.", opts,
                     pos, args, vm, exit_code))
    return exit_code;
  std::string code = vm["code"].as<std::string>();
  for (char& c : code) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const std::string_view doc = diagnostics_doc();
  const std::string_view body = section(doc, code);
  if (body.empty()) {
    const std::string hint = did_you_mean(code, all_codes(doc));
    return usage_error("explain-code", fmt::format("no diagnostic has the code `{}`{}", vm["code"].as<std::string>(), hint));
  }
  fmt::print("{}\n\n{}\n", code, body);
  return kExitOk;
}

}  // namespace healthc::driver
