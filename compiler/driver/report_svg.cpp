// Inline SVG charts for `healthc report` (report_svg.h).
#include "compiler/driver/report_svg.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>

namespace healthc::driver::svg {
namespace {

// Okabe & Ito (2008): vermillion, orange, yellow, sky blue, bluish green, blue, reddish purple.
constexpr const char* kByPosition[] = {"#D55E00", "#E69F00", "#F0E442", "#56B4E9", "#009E73", "#0072B2", "#CC79A7"};
constexpr const char* kGrey = "#999999";
constexpr const char* kNow = kNowFill;
constexpr const char* kPrevious = kPreviousFill;

// A round axis maximum at or above `v` (1, 2 or 5 times a power of ten).
double nice_max(double v) {
  if (v <= 0) return 1;
  const double p = std::pow(10.0, std::floor(std::log10(v)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (m * p >= v) return m * p;
  return 10 * p;
}

// Three ticks (0, half, max) on the left axis, with grid lines and the axis title.
void y_axis(std::string& out, double max, double x0, double y0, double width, double height, std::string_view label) {
  for (int i = 0; i <= 2; ++i) {
    const double y = y0 - height * i / 2;
    fmt::format_to(std::back_inserter(out),
                   "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" class=\"grid\"/>"
                   "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"end\">{}</text>",
                   x0, y, x0 + width, y, x0 - 4, y + 4, grouped(max * i / 2));
  }
  fmt::format_to(std::back_inserter(out),
                 "<text x=\"12\" y=\"{:.1f}\" class=\"axis\" transform=\"rotate(-90 12 {:.1f})\" "
                 "text-anchor=\"middle\">{}</text>",
                 y0 - height / 2, y0 - height / 2, escape(label));
}

std::string open_svg(double width, double height, std::string_view title, std::string_view desc) {
  return fmt::format("<svg role=\"img\" viewBox=\"0 0 {:.0f} {:.0f}\" width=\"{:.0f}\" height=\"{:.0f}\" "
                     "aria-label=\"{}\"><title>{}</title><desc>{}</desc>",
                     width, height, width, height, escape(title), escape(title), escape(desc));
}

}  // namespace

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:  // a control character (a NUL in a key) is a parse error in HTML: a space instead
        out += static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' ? ' ' : c;
    }
  }
  return out;
}

std::string grouped(double v) {
  if (std::isnan(v)) return "-";
  const double r = std::round(v);
  std::string digits = fmt::format("{:.0f}", std::fabs(r));
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  if (r < 0) out.insert(out.begin(), '-');
  return out;
}

std::string band_fill(std::string_view band, std::string_view card_color, size_t position) {
  if (band == "unscored") return kGrey;
  if (card_color == "red") return kByPosition[0];
  if (card_color == "orange" || card_color == "amber" || card_color == "yellow") return kByPosition[1];
  if (card_color == "green") return kByPosition[4];
  if (card_color == "blue") return kByPosition[5];
  if (card_color == "grey" || card_color == "gray") return kGrey;
  return kByPosition[position % std::size(kByPosition)];
}

std::string bands_over_time(const analysis::BandsOverTime& t, const std::vector<std::string>& fills) {
  constexpr double kW = 720, kH = 280, kLeft = 64, kRight = 40, kTop = 12, kBottom = 44;
  const double pw = kW - kLeft - kRight, ph = kH - kTop - kBottom, y0 = kTop + ph;
  const size_t n = t.dates.size();
  double max = 0;
  for (const auto& row : t.accounts) {
    double total = 0;
    for (int64_t c : row) total += static_cast<double>(c);
    max = std::max(max, total);
  }
  max = nice_max(max);
  std::string desc;
  if (n) {
    desc = fmt::format("{} snapshots from {} to {}; on {}:", n, t.dates.front(), t.dates.back(), t.dates.back());
    for (size_t b = 0; b < t.bands.size(); ++b) desc += fmt::format(" {} {},", t.bands[b], t.accounts.back()[b]);
    desc.pop_back();
  }
  std::string out = open_svg(kW, kH, "Accounts per band over time", desc);
  y_axis(out, max, kLeft, y0, pw, ph, "accounts");
  auto x_at = [&](size_t i) { return n <= 1 ? kLeft + pw / 2 : kLeft + pw * static_cast<double>(i) / (n - 1); };
  auto y_at = [&](double v) { return y0 - ph * v / max; };
  std::vector<double> below(n, 0), above(n, 0);
  for (size_t b = 0; b < t.bands.size(); ++b) {
    for (size_t i = 0; i < n; ++i) above[i] = below[i] + static_cast<double>(t.accounts[i][b]);
    const std::string label = escape(t.bands[b]);
    if (n == 1) {
      fmt::format_to(std::back_inserter(out),
                     "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"60\" height=\"{:.1f}\" fill=\"{}\"><title>{}: {}</title></rect>",
                     x_at(0) - 30, y_at(above[0]), y_at(below[0]) - y_at(above[0]), fills[b], label, t.accounts[0][b]);
    } else {
      std::string points;
      for (size_t i = 0; i < n; ++i) points += fmt::format("{:.1f},{:.1f} ", x_at(i), y_at(above[i]));
      for (size_t i = n; i-- > 0;) points += fmt::format("{:.1f},{:.1f} ", x_at(i), y_at(below[i]));
      points.pop_back();
      fmt::format_to(std::back_inserter(out), "<polygon points=\"{}\" fill=\"{}\"><title>{}: {} on {}</title></polygon>",
                     points, fills[b], label, t.accounts[n - 1][b], escape(t.dates[n - 1]));
    }
    below = above;
  }
  // Date labels at least 90 px apart (a date is about 65 px), the first and the last always.
  const size_t max_labels = std::max<size_t>(2, static_cast<size_t>(pw / 90));
  const size_t step = n <= max_labels ? 1 : (n - 1 + max_labels - 2) / (max_labels - 1);
  for (size_t i = 0; i < n; ++i)
    if (i + 1 == n || (i % step == 0 && n - 1 - i >= step))
      fmt::format_to(std::back_inserter(out), "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"middle\">{}</text>",
                     x_at(i), y0 + 16, escape(t.dates[i]));
  fmt::format_to(std::back_inserter(out), "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"axis\" text-anchor=\"middle\">as-of date</text>",
                 kLeft + pw / 2, kH - 6);
  out += "</svg>";
  return out;
}

std::string segment_bars(const std::vector<analysis::SegmentBands>& segments, const std::vector<std::string>& bands,
                         const std::vector<std::string>& fills) {
  constexpr double kW = 720, kLeft = 150, kRight = 70, kRow = 24, kTop = 8, kBottom = 36;
  const double pw = kW - kLeft - kRight, h = kTop + kRow * static_cast<double>(segments.size()) + kBottom;
  std::string desc;
  for (const auto& s : segments) {
    desc += s.segment + ":";
    for (size_t b = 0; b < bands.size(); ++b) desc += fmt::format(" {} {}", bands[b], s.accounts[b]);
    desc += "; ";
  }
  std::string out = open_svg(kW, h, "Band shares per segment, latest snapshot", desc);
  for (size_t r = 0; r < segments.size(); ++r) {
    const auto& s = segments[r];
    const double y = kTop + kRow * static_cast<double>(r);
    double total = 0;
    for (int64_t c : s.accounts) total += static_cast<double>(c);
    fmt::format_to(std::back_inserter(out), "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"end\">{}</text>",
                   kLeft - 6, y + 15, escape(s.segment));
    double x = kLeft;
    for (size_t b = 0; b < bands.size(); ++b) {
      if (!s.accounts[b] || total <= 0) continue;
      const double w = pw * static_cast<double>(s.accounts[b]) / total;
      fmt::format_to(std::back_inserter(out),
                     "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"18\" fill=\"{}\"><title>{}, {}: {} "
                     "({:.0f}%)</title></rect>",
                     x, y + 2, w, fills[b], escape(s.segment), escape(bands[b]), s.accounts[b],
                     100.0 * static_cast<double>(s.accounts[b]) / total);
      x += w;
    }
    fmt::format_to(std::back_inserter(out), "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\">{}</text>", kLeft + pw + 6,
                   y + 15, grouped(total));
  }
  const double y0 = kTop + kRow * static_cast<double>(segments.size());
  for (int p = 0; p <= 4; ++p)
    fmt::format_to(std::back_inserter(out), "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"middle\">{}%</text>",
                   kLeft + pw * p / 4, y0 + 14, p * 25);
  fmt::format_to(std::back_inserter(out),
                 "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"axis\" text-anchor=\"middle\">share of the segment's accounts "
                 "(count on the right)</text></svg>",
                 kLeft + pw / 2, h - 4);
  return out;
}

std::string score_histogram(const analysis::ScoreHistogram& h, const std::string& as_of,
                            const std::string& previous_as_of) {
  constexpr double kW = 720, kH = 260, kLeft = 64, kRight = 16, kTop = 12, kBottom = 44;
  const double pw = kW - kLeft - kRight, ph = kH - kTop - kBottom, y0 = kTop + ph;
  const bool two = !h.previous.empty();
  double max = 0;
  for (int64_t c : h.now) max = std::max(max, static_cast<double>(c));
  for (int64_t c : h.previous) max = std::max(max, static_cast<double>(c));
  max = nice_max(max);
  std::string desc = fmt::format("accounts per score bin on {}:", as_of);
  for (size_t i = 0; i < h.now.size(); ++i) desc += fmt::format(" {}-{} {},", i * 10, i == 9 ? 100 : i * 10 + 9, h.now[i]);
  desc.pop_back();
  if (two) {
    desc += fmt::format("; on {}:", previous_as_of);
    for (size_t i = 0; i < h.previous.size(); ++i) desc += fmt::format(" {}", h.previous[i]);
  }
  std::string out = open_svg(kW, kH, two ? "Score distribution, now and in the previous snapshot" : "Score distribution", desc);
  y_axis(out, max, kLeft, y0, pw, ph, "accounts");
  const double slot = pw / 10, bar = two ? slot * 0.38 : slot * 0.7;
  for (size_t i = 0; i < 10; ++i) {
    const std::string bin = fmt::format("{}-{}", i * 10, i == 9 ? 100 : i * 10 + 9);
    const double x = kLeft + slot * static_cast<double>(i) + slot * 0.1;
    auto column = [&](double left, int64_t count, const char* fill, const std::string& date) {
      const double top = y0 - ph * static_cast<double>(count) / max;
      fmt::format_to(std::back_inserter(out),
                     "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"><title>{} on {}: {} "
                     "accounts</title></rect>",
                     left, top, bar, y0 - top, fill, bin, escape(date), count);
    };
    if (two) column(x, h.previous[i], kPrevious, previous_as_of);
    column(two ? x + bar : x, h.now[i], kNow, as_of);
    fmt::format_to(std::back_inserter(out), "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"middle\">{}</text>",
                   kLeft + slot * (static_cast<double>(i) + 0.5), y0 + 16, bin);
  }
  fmt::format_to(std::back_inserter(out), "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"axis\" text-anchor=\"middle\">score</text></svg>",
                 kLeft + pw / 2, kH - 6);
  return out;
}

std::string sparkline(const std::vector<int32_t>& scores, const std::vector<std::string>& dates) {
  constexpr double kW = 96, kH = 20;
  const size_t n = scores.size();
  std::string desc;
  for (size_t i = 0; i < n; ++i)
    desc += fmt::format("{}{} {}", i ? ", " : "", i < dates.size() ? dates[i] : "", scores[i] < 0 ? "-" : std::to_string(scores[i]));
  std::string out = fmt::format("<svg class=\"spark\" role=\"img\" viewBox=\"0 0 {:.0f} {:.0f}\" width=\"{:.0f}\" "
                                "height=\"{:.0f}\"><title>score over time: {}</title>",
                                kW, kH, kW, kH, escape(desc));
  auto x_at = [&](size_t i) { return n <= 1 ? kW / 2 : 2 + (kW - 4) * static_cast<double>(i) / (n - 1); };
  auto y_at = [&](int32_t s) { return kH - 2 - (kH - 4) * std::min(s, 100) / 100.0; };
  std::string points;
  auto flush = [&] {
    if (points.empty()) return;
    points.pop_back();
    fmt::format_to(std::back_inserter(out), "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\"/>",
                   points, kNow);
    points.clear();
  };
  for (size_t i = 0; i < n; ++i) {
    if (scores[i] < 0) {
      flush();
      continue;
    }
    points += fmt::format("{:.1f},{:.1f} ", x_at(i), y_at(scores[i]));
  }
  flush();
  if (n && scores.back() >= 0)
    fmt::format_to(std::back_inserter(out), "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"2\" fill=\"{}\"/>", x_at(n - 1),
                   y_at(scores.back()), kNow);
  out += "</svg>";
  return out;
}

std::string legend(const std::vector<std::string>& names, const std::vector<std::string>& fills) {
  std::string out = "<p class=\"legend\">";
  for (size_t i = 0; i < names.size(); ++i)
    out += fmt::format("<span><i style=\"background:{}\"></i>{}</span>", fills[i], escape(names[i]));
  return out + "</p>";
}

}  // namespace healthc::driver::svg
