// The pieces of qlab's HTML pages (qlab report, qlab fit): escaping, a page with the shared
// style written atomically, and gnuplot figures inlined as SVG.
#pragma once

#include <string>
#include <vector>

#include "qlab/report/plot.h"

namespace qlab::report {

std::string HtmlEscape(const std::string& text);

// Draws `series` into `svg_path` and returns a <figure> with the SVG inline; when gnuplot is
// missing or fails, a warning paragraph instead, and the reason appended to `problems`.
std::string FigureHtml(const std::string& svg_path, const PlotSpec& spec,
                       const std::vector<Series>& series, std::vector<std::string>* problems);

// Writes a complete page (temp file + rename: an old page is never left half-written);
// UserError naming the file when it cannot be written (disk full).
void WriteHtmlPage(const std::string& path, const std::string& title, const std::string& body);

}  // namespace qlab::report
