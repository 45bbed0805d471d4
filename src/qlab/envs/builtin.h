// The built-in environments of qlab, registered by family.
#pragma once

#include "qlab/core/registry.h"

namespace qlab {

void RegisterMinAtarEnvs(Registry& registry);
void RegisterClassicEnvs(Registry& registry);
void RegisterBox2dEnvs(Registry& registry);
void RegisterProbeEnvs(Registry& registry);
void RegisterMujocoEnvs(Registry& registry);

// Every built-in env (built once, on first use).
const Registry& BuiltinEnvs();

}  // namespace qlab
