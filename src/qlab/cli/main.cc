// qlab: the command-line entry point. Usage errors and bad input end with one clear line and
// exit code 2; internal invariant failures abort (QLAB_CHECK).
#include <malloc.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "qlab/cli/commands.h"
#include "qlab/core/errors.h"

int main(int argc, char** argv) {
  // libtorch allocates and frees the same few-MiB tensors every update; glibc's defaults return
  // them to the kernel each time (mmap/munmap, trimming), which cost a third of a QR-DQN update in
  // page faults (docs/benchmarks.md). Keep freed memory in the process instead.
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  mallopt(M_TOP_PAD, 64 << 20);
  CLI::App app{"qlab: scaling value-based deep RL, fast and reproducible", "qlab"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "show help for every subcommand");
  qlab::cli::AddTrainCommand(app);
  qlab::cli::AddAgentsCommand(app);
  qlab::cli::AddSweepCommand(app);
  qlab::cli::AddQueryCommand(app);
  qlab::cli::AddFitCommand(app);
  qlab::cli::AddEnvsCommand(app);
  qlab::cli::AddRolloutCommand(app);
  qlab::cli::AddPlayCommand(app);
  qlab::cli::AddBenchCommand(app);
  qlab::cli::AddStatsCommand(app);
  qlab::cli::AddReportCommand(app);
  qlab::cli::AddCompareCommand(app);
  qlab::cli::AddVersionCommand(app);
  // `qlab compare A... -- B...`: the '--' separates the two agents' run dirs; CLI11 would treat it
  // as the end of options, so it becomes the --against option.
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "compare")
    if (auto it = std::find(args.begin(), args.end(), "--"); it != args.end()) *it = "--against";
  std::reverse(args.begin(), args.end());  // CLI11 takes the vector form in reverse order
  try {
    // CLI11 would answer a mistyped command with "A subcommand is required"; name it instead
    if (!args.empty() && !args.back().starts_with('-')) {
      std::string known;
      bool found = false;
      for (const CLI::App* sub : std::as_const(app).get_subcommands({})) {
        known += (known.empty() ? "" : ", ") + sub->get_name();
        found = found || sub->get_name() == args.back();
      }
      if (!found)
        throw qlab::UserError("unknown command '" + args.back() + "' (commands: " + known + ")");
    }
    app.parse(args);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "qlab: error: %s (see qlab --help)\n", e.what());
    return 2;
  } catch (const qlab::UserError& e) {
    std::fprintf(stderr, "qlab: error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "qlab: internal error: %s\n", e.what());
    return 1;
  }
  return 0;
}
