#include "qlab/envs/builtin.h"

namespace qlab {

const Registry& BuiltinEnvs() {
  static const Registry registry = [] {
    Registry r;
    RegisterMinAtarEnvs(r);
    RegisterClassicEnvs(r);
    RegisterBox2dEnvs(r);
    RegisterMujocoEnvs(r);
    RegisterProbeEnvs(r);
    return r;
  }();
  return registry;
}

}  // namespace qlab
