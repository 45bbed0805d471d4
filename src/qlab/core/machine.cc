#include "qlab/core/machine.h"

#include <fmt/format.h>
#include <sys/utsname.h>

#include <fstream>
#include <thread>

namespace qlab {

std::string CpuModel() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(" \t", colon + 1));
    }
  }
  return "unknown CPU";
}

std::string MachineDescription() {
  utsname name{};
  std::string kernel = uname(&name) == 0 ? fmt::format("{} {}", name.sysname, name.release) : "";
  return fmt::format("{}, {} hardware threads, {}", CpuModel(), std::thread::hardware_concurrency(),
                     kernel);
}

}  // namespace qlab
