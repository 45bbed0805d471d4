// A one-line description of the machine (CPU model, cores) for benchmark and run metadata.
#pragma once

#include <string>

namespace qlab {

std::string CpuModel();
std::string MachineDescription();  // "AMD EPYC 7B13, 2 cores, Linux 6.1"

}  // namespace qlab
