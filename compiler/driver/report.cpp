// Tables and number formats for the analysis commands' reports.
#include "compiler/driver/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "compiler/driver/cli.h"

namespace healthc::driver {

bool parse_report_format(const std::string& s, ReportFormat& out) {
  if (s == "text") out = ReportFormat::Text;
  else if (s == "json") out = ReportFormat::Json;
  else if (s == "markdown" || s == "md") out = ReportFormat::Markdown;
  else return false;
  return true;
}

ReportFormat to_report_format(Format f) {
  return f == Format::Json ? ReportFormat::Json : f == Format::Markdown ? ReportFormat::Markdown : ReportFormat::Text;
}

namespace {
// Display width in code points (names are ASCII; titles may not be).
size_t width(const std::string& s) {
  size_t w = 0;
  for (unsigned char c : s) w += (c & 0xC0) != 0x80;
  return w;
}
std::string pad(const std::string& s, size_t w, bool right) {
  const size_t n = width(s);
  if (n >= w) return s;
  return right ? std::string(w - n, ' ') + s : s + std::string(w - n, ' ');
}
std::string md_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}
}  // namespace

std::string render_table(const Table& t, ReportFormat format, size_t indent) {
  std::string out;
  if (format == ReportFormat::Markdown) {
    auto line = [&](const std::vector<std::string>& cells) {
      out += "|";
      for (const auto& c : cells) {
        out += ' ';
        out += md_escape(c);
        out += " |";
      }
      out += "\n";
    };
    line(t.header);
    out += "|";
    for (size_t i = 0; i < t.header.size(); ++i)
      out += (i < t.align.size() ? t.align[i] == 'r' : i > 0) ? "---:|" : "---|";
    out += "\n";
    for (const auto& r : t.rows) line(r);
    return out;
  }
  std::vector<size_t> w(t.header.size(), 0);
  for (size_t i = 0; i < t.header.size(); ++i) w[i] = width(t.header[i]);
  for (const auto& r : t.rows)
    for (size_t i = 0; i < r.size() && i < w.size(); ++i) w[i] = std::max(w[i], width(r[i]));
  auto line = [&](const std::vector<std::string>& cells) {
    std::string l(indent, ' ');
    for (size_t i = 0; i < cells.size() && i < w.size(); ++i) {
      if (i) l += "  ";
      l += pad(cells[i], w[i], i < t.align.size() ? t.align[i] == 'r' : i > 0);
    }
    while (!l.empty() && l.back() == ' ') l.pop_back();
    out += l + "\n";
  };
  line(t.header);
  for (const auto& r : t.rows) line(r);
  return out;
}

std::string heading(const std::string& title, ReportFormat format) {
  if (format == ReportFormat::Markdown) return "\n### " + title + "\n\n";
  return "\n" + title + "\n";
}

std::string fmt_pct(double share, int decimals) {
  if (!std::isfinite(share)) return "-";
  return fmt::format("{:.{}f}%", share * 100, decimals);
}

std::string fmt_fixed(double v, int decimals) {
  if (!std::isfinite(v)) return "-";
  std::string s = fmt::format("{:.{}f}", v, decimals);
  if (s.find_first_not_of("-0.") == std::string::npos && s[0] == '-') s.erase(0, 1);  // no "-0.0"
  return s;
}

std::string fmt_signed(double v, int decimals) {
  if (!std::isfinite(v)) return "-";
  std::string s = fmt_fixed(v, decimals);
  if (s[0] != '-' && s.find_first_not_of("0.") != std::string::npos) s = "+" + s;
  return s;
}

}  // namespace healthc::driver
