// Each subcommand registers itself on the root CLI11 app; main() only dispatches and reports
// errors (UserError -> one line on stderr, exit code 2).
#pragma once

#include <CLI/CLI.hpp>

namespace qlab::cli {

void AddEnvsCommand(CLI::App& app);
void AddRolloutCommand(CLI::App& app);
void AddPlayCommand(CLI::App& app);
void AddBenchCommand(CLI::App& app);
void AddVersionCommand(CLI::App& app);
void AddStatsCommand(CLI::App& app);
void AddReportCommand(CLI::App& app);
void AddCompareCommand(CLI::App& app);
void AddTrainCommand(CLI::App& app);
void AddAgentsCommand(CLI::App& app);
void AddSweepCommand(CLI::App& app);
void AddQueryCommand(CLI::App& app);
void AddFitCommand(CLI::App& app);
void AddBenchTrainCommand(CLI::App* bench);   // `qlab bench train`
void AddBenchAgentsCommand(CLI::App* bench);  // `qlab bench agents`

}  // namespace qlab::cli
