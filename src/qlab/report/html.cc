#include "qlab/report/html.h"

#include <fmt/format.h>

#include <filesystem>

#include "qlab/core/errors.h"
#include "qlab/core/files.h"

namespace qlab::report {
namespace fs = std::filesystem;

std::string HtmlEscape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string FigureHtml(const std::string& svg_path, const PlotSpec& spec,
                       const std::vector<Series>& series, std::vector<std::string>* problems) {
  std::string error;
  if (!PlotSeries(svg_path, spec, series, &error)) {
    problems->push_back(fmt::format("figure '{}' skipped: {}", spec.title, error));
    return fmt::format("<p class=warn>figure skipped: {}</p>", HtmlEscape(error));
  }
  std::string content = ReadFile(svg_path);
  if (auto start = content.find("<svg"); start != std::string::npos)
    content = content.substr(start);
  return fmt::format("<figure>{}<figcaption>{}</figcaption></figure>\n", content,
                     HtmlEscape(fs::path(svg_path).filename().string()));
}

void WriteHtmlPage(const std::string& path, const std::string& title, const std::string& body) {
  std::string page = "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>\n<title>" +
                     HtmlEscape(title) +
                     "</title>\n<style>\n"
                     "body{font-family:Helvetica,Arial,sans-serif;margin:2em auto;max-width:1100px;"
                     "color:#222}\n"
                     "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;"
                     "padding:4px 8px;text-align:left}th{background:#f3f3f3}\n"
                     ".ci{color:#666;font-size:90%}.n{color:#999;font-size:80%}.note{color:#555}"
                     ".warn{color:#a33}.missing{color:#a33}figure{margin:1em 0}"
                     "figcaption{color:#888;font-size:80%}\n</style></head><body>\n";
  page += "<h1>" + HtmlEscape(title) + "</h1>\n" + body + "</body></html>\n";
  WriteFileAtomic(path, page);  // a failed write leaves the old page, and no temp file
}

}  // namespace qlab::report
