// The agent registry: every agent qlab can train, with its config keys.
#include <fmt/format.h>

#include "qlab/agents/agent.h"
#include "qlab/agents/dqn.h"
#include "qlab/core/errors.h"

namespace qlab {

const std::vector<AgentEntry>& Agents() {
  static const std::vector<AgentEntry> agents = {
      {.name = "dqn",
       .description = "DQN family (Mnih et al. 2015): double, dueling, n-step, prioritized replay",
       .add_keys = DqnOptions::AddKeys,
       .make = [](const AgentContext& context) -> std::unique_ptr<Agent> {
         return std::make_unique<Dqn>(context, DqnOptions::FromConfig(*context.config));
       }},
  };
  return agents;
}

const AgentEntry& FindAgent(const std::string& name) {
  std::vector<std::string> names;
  for (const auto& entry : Agents()) {
    if (entry.name == name) return entry;
    names.push_back(entry.name);
  }
  throw UserError(fmt::format("unknown agent '{}'{} (known: {})", name, DidYouMean(name, names),
                              fmt::join(names, ", ")));
}

}  // namespace qlab
