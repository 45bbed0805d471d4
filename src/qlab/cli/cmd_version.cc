// qlab version [--json]: version, commit, build type, compiler, machine.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "qlab/cli/commands.h"
#include "qlab/core/build_info.h"
#include "qlab/core/machine.h"

namespace qlab::cli {

void AddVersionCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("version", "print version, build and machine information");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "print one JSON object");
  cmd->callback([json] {
    const std::string compiler =
        fmt::format("gcc {}.{}.{}", __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__);
    if (*json) {
      nlohmann::json out = {{"version", build::kVersion},
                            {"git_commit", build::kGitCommit},
                            {"build_type", build::kBuildType},
                            {"sanitize", build::kSanitize},
                            {"compiler", compiler},
                            {"machine", MachineDescription()}};
      fmt::print("{}\n", out.dump());
      return;
    }
    fmt::print("qlab {} (commit {}, {} build{}{})\ncompiler: {}, C++{}\nmachine: {}\n",
               build::kVersion, build::kGitCommit, build::kBuildType,
               *build::kSanitize ? ", sanitizers " : "", build::kSanitize, compiler,
               __cplusplus / 100 % 100, MachineDescription());
  });
}

}  // namespace qlab::cli
