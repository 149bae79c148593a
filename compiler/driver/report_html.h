// How `healthc report` writes its page model: one self-contained HTML page (inline CSS and SVG,
// no script, nothing fetched; printable on A4) or a JSON dump of the figures (the golden check).
#pragma once

#include <string>

#include "runtime/analysis/report_model.h"

namespace healthc::driver {

std::string render_report_html(const analysis::ReportModel& m);

// Every figure of the model; numbers rounded to 2 decimals, missing ones null.
std::string render_report_json(const analysis::ReportModel& m);

}  // namespace healthc::driver
