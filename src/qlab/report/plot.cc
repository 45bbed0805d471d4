#include "qlab/report/plot.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace qlab::report {
namespace {

// A gnuplot single-quoted string: only ' needs escaping (doubled); text is noenhanced.
std::string Quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// Colour-blind-safe palette (Okabe & Ito 2008).
constexpr const char* kColors[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                   "#E69F00", "#56B4E9", "#F0E442", "#000000"};

}  // namespace

bool GnuplotAvailable() { return std::system("gnuplot --version >/dev/null 2>&1") == 0; }

bool PlotSeries(const std::string& svg_path, const PlotSpec& spec,
                const std::vector<Series>& series, std::string* error) {
  const std::string script_path = std::filesystem::path(svg_path).replace_extension(".gp").string();
  {
    std::ofstream gp(script_path);
    if (!gp) {
      *error = fmt::format("cannot write {}", script_path);
      return false;
    }
    gp << "set terminal svg size 720,420 dynamic noenhanced font 'Helvetica,12' background "
          "'#ffffff'\n";
    gp << "set output " << Quote(svg_path) << "\n";
    gp << "set title " << Quote(spec.title) << "\nset xlabel " << Quote(spec.xlabel)
       << "\nset ylabel " << Quote(spec.ylabel) << "\n";
    gp << "set key outside right top box\nset grid lc rgb '#dddddd'\nset border 3\n"
          "set tics nomirror\nset style fill transparent solid 0.2 noborder\n";
    if (spec.xlabel == "env steps") gp << "set format x '%.0s%c'\n";  // 100k, 1M
    if (spec.logx) gp << "set logscale x\n";
    if (spec.logy) gp << "set logscale y\n";
    for (size_t s = 0; s < series.size(); ++s) {
      gp << "$D" << s << " << EOD\n";
      const Series& d = series[s];
      for (size_t i = 0; i < d.x.size(); ++i) {
        if (!std::isfinite(d.y[i])) continue;
        gp << fmt::format("{:.10g} {:.10g}", d.x[i], d.y[i]);
        if (!d.lo.empty()) gp << fmt::format(" {:.10g} {:.10g}", d.lo[i], d.hi[i]);
        gp << "\n";
      }
      gp << "EOD\n";
    }
    gp << "plot ";
    for (size_t s = 0; s < series.size(); ++s) {
      const Series& d = series[s];
      const char* color = kColors[(d.color >= 0 ? d.color : s) % std::size(kColors)];
      if (d.points) {
        gp << fmt::format("$D{} using 1:2{} with {} pt 7 ps 0.8 lc rgb '{}' title {}", s,
                          d.lo.empty() ? "" : ":3:4", d.lo.empty() ? "points" : "yerrorbars", color,
                          Quote(d.title));
      } else {
        if (!d.lo.empty())
          gp << fmt::format("$D{} using 1:3:4 with filledcurves lc rgb '{}' notitle, ", s, color);
        gp << fmt::format("$D{} using 1:2 with {} lw 2 lc rgb '{}' title {}", s,
                          spec.step ? "steps" : "lines", color, Quote(d.title));
      }
      gp << (s + 1 < series.size() ? ", \\\n     " : "\n");
    }
  }
  const std::string log_path = svg_path + ".log";
  const std::string command = fmt::format("gnuplot '{}' >'{}' 2>&1", script_path, log_path);
  if (std::system(command.c_str()) != 0 || !std::filesystem::exists(svg_path)) {
    std::ifstream log(log_path);
    std::string first;
    std::getline(log, first);
    *error = fmt::format("gnuplot failed for {}: {}", svg_path,
                         first.empty() ? "not installed?" : first);
    return false;
  }
  std::filesystem::remove(log_path);
  return true;
}

}  // namespace qlab::report
