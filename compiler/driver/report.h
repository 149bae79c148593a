// How the analysis commands (diff, validate, tune) lay out what they found: one table type
// printed as aligned text or as a Markdown table, and number formatting shared by all three.
#pragma once

#include <string>
#include <vector>

namespace healthc::driver {

enum class ReportFormat { Text, Json, Markdown };
bool parse_report_format(const std::string& s, ReportFormat& out);
enum class Format;  // cli.h
// --format's text, json or markdown (anything else is text).
ReportFormat to_report_format(Format f);

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  // 'l' or 'r' per column; by default column 0 (names) is left-aligned, the rest (numbers)
  // right-aligned.
  std::string align;
};

// Text: columns padded to their widest cell, two spaces apart, each line indented by
// `indent`. Markdown: a pipe table.
std::string render_table(const Table& t, ReportFormat format, size_t indent = 2);

// A section heading: `title` underlined... in text, `### title` in Markdown.
std::string heading(const std::string& title, ReportFormat format);

std::string fmt_pct(double share, int decimals = 1);  // 0.1234 -> "12.3%"; NaN -> "-"
std::string fmt_fixed(double v, int decimals);        // NaN -> "-"
std::string fmt_signed(double v, int decimals);       // "+1.5", "-0.3", "0.0"

}  // namespace healthc::driver
