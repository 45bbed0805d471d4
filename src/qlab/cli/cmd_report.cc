// qlab report RUN_DIR... -o report.html: one self-contained HTML page from run dirs
// (src/qlab/report/report.h; docs/statistics.md, docs/run_dir.md).
#include <fmt/format.h>

#include <filesystem>

#include "qlab/cli/commands.h"
#include "qlab/cli/common.h"
#include "qlab/core/errors.h"
#include "qlab/report/report.h"
#include "qlab/sweep/results_db.h"

namespace qlab::cli {
namespace {

struct ReportArgs {
  std::vector<std::string> dirs, sweeps;
  std::string output = "report.html", normalize = "builtin", title = "qlab report";
  BootstrapArgs boot;
  int curve_reps = 2000;
};

void RunReport(const ReportArgs& args) {
  report::ReportOptions options;
  options.bootstrap = args.boot.Options();
  options.rng = stats::ParseRngKind(args.boot.rng);
  options.seed = args.boot.seed;
  options.curve_reps = args.curve_reps;
  options.normalize = args.normalize;
  options.title = args.title;
  std::vector<std::string> dirs = args.dirs;
  for (const auto& db_path : args.sweeps) {  // every started run a results database indexes
    if (!std::filesystem::exists(db_path))
      throw UserError(fmt::format("no results database '{}'", db_path));
    const sweep::ResultsDb db(db_path, sweep::ResultsDb::Access::kReadOnly);
    for (const auto& run : db.Runs())
      if (run.status != "pending") dirs.push_back(run.dir);
  }
  if (dirs.empty()) throw UserError("qlab report: give run dirs or --sweep DB with started runs");
  const report::RunSet runs = report::LoadRuns(dirs);
  const report::ReportSummary summary = report::WriteReport(runs, args.output, options);
  fmt::print("wrote {}: {} runs in {} groups, {} figures\n", args.output, summary.runs,
             summary.groups, summary.plots.size());
  for (const auto& problem : summary.problems) fmt::print("  note: {}\n", problem);
}

}  // namespace

void AddReportCommand(CLI::App& app) {
  auto args = std::make_shared<ReportArgs>();
  CLI::App* cmd =
      app.add_subcommand("report", "HTML report (tables, curves, profiles) from run dirs");
  cmd->add_option("dirs", args->dirs, "run dirs, or folders holding run dirs");
  cmd->add_option("--sweep", args->sweeps,
                  "a sweep's results database: report its runs (repeatable)");
  cmd->add_option("-o,--output", args->output, "the HTML file to write")->capture_default_str();
  cmd->add_option("--normalize", args->normalize,
                  "builtin (reference table) | none | a JSON table FILE")
      ->capture_default_str();
  cmd->add_option("--title", args->title, "page title")->capture_default_str();
  cmd->add_option("--curve-reps", args->curve_reps, "bootstrap reps per curve point and profile")
      ->check(IntAtLeast(1))
      ->capture_default_str();
  AddBootstrapFlags(cmd, args->boot);
  cmd->callback([args] { RunReport(*args); });
}

}  // namespace qlab::cli
