// The charts of `healthc report`, drawn as inline SVG (no script, no font or image from outside):
// labelled axes, a <title> and <desc> as the text alternative, colours from the Okabe-Ito
// palette (told apart by readers with any common colour-vision deficiency), every text escaped.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/analysis/report_model.h"

namespace healthc::driver::svg {

// The score histogram's two series (Okabe-Ito blue and orange).
inline constexpr const char* kNowFill = "#0072B2";
inline constexpr const char* kPreviousFill = "#E69F00";

// Text for HTML and SVG, attribute values included: & < > " ' escaped, control characters
// (but newline and tab) turned into spaces.
std::string escape(std::string_view text);

// 12,345 (grouped thousands), rounded to a whole number.
std::string grouped(double v);

// The fill of a band: the card's colour name mapped to its Okabe-Ito equivalent (red ->
// vermillion, yellow/amber -> orange, green -> bluish green, ...), else one by position;
// `unscored` is grey.
std::string band_fill(std::string_view band, std::string_view card_color, size_t position);

// Accounts per band stacked over the snapshots (an area; one column for a single snapshot).
std::string bands_over_time(const analysis::BandsOverTime& t, const std::vector<std::string>& fills);

// One 100% bar per segment, split by band, with each segment's count.
std::string segment_bars(const std::vector<analysis::SegmentBands>& segments, const std::vector<std::string>& bands,
                         const std::vector<std::string>& fills);

// Accounts per ten-point score bin, now beside the previous snapshot.
std::string score_histogram(const analysis::ScoreHistogram& h, const std::string& as_of,
                            const std::string& previous_as_of);

// A small line of scores 0..100 over the snapshots (gaps where -1), for a table cell.
std::string sparkline(const std::vector<int32_t>& scores, const std::vector<std::string>& dates);

// The legend below a chart: a swatch and a name per series (HTML, so it is text in the page).
std::string legend(const std::vector<std::string>& names, const std::vector<std::string>& fills);

}  // namespace healthc::driver::svg
