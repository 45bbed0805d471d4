// qlab: the command-line entry point. Usage errors and bad input end with one clear line and
// exit code 2; internal invariant failures abort (QLAB_CHECK).
#include <cstdio>
#include <exception>

#include "qlab/cli/commands.h"
#include "qlab/core/errors.h"

int main(int argc, char** argv) {
  CLI::App app{"qlab: scaling value-based deep RL, fast and reproducible", "qlab"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "show help for every subcommand");
  qlab::cli::AddEnvsCommand(app);
  qlab::cli::AddRolloutCommand(app);
  qlab::cli::AddPlayCommand(app);
  qlab::cli::AddBenchCommand(app);
  qlab::cli::AddStatsCommand(app);
  qlab::cli::AddVersionCommand(app);
  try {
    app.parse(argc, argv);
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
