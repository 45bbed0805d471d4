// Line plots with confidence bands, drawn by gnuplot (SVG). Each plot keeps its script (.gp,
// data inline) beside the SVG, so a figure can be restyled and redrawn by hand.
#pragma once

#include <string>
#include <vector>

namespace qlab::report {

struct Series {
  std::string title;
  std::vector<double> x, y, lo, hi;  // lo/hi empty: no band (no error bars)
  bool points = false;               // markers (with lo/hi: error bars) instead of a line
  int color = -1;                    // palette index; -1: the series' position
};

struct PlotSpec {
  std::string title, xlabel, ylabel;
  bool step = false;                // draw as steps (profiles)
  bool logx = false, logy = false;  // log scales (scaling laws)
};

// Writes `svg_path` (and `svg_path` with .gp for the script). Returns false, with the reason in
// `error`, when gnuplot is missing or fails; the caller reports that instead of the figure.
bool PlotSeries(const std::string& svg_path, const PlotSpec& spec,
                const std::vector<Series>& series, std::string* error);

bool GnuplotAvailable();

}  // namespace qlab::report
