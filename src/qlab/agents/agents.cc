// The agent registry: every agent qlab can train, with its config keys.
#include <fmt/format.h>

#include "qlab/agents/agent.h"
#include "qlab/agents/dqn.h"
#include "qlab/agents/sac.h"
#include "qlab/core/errors.h"

namespace qlab {

namespace {

AgentEntry DqnVariant(std::string name, std::string description) {
  return {.name = name,
          .description = std::move(description),
          .add_keys = [name](ConfigSchema& schema) { DqnOptions::AddKeys(schema, name); },
          .make = [name](const AgentContext& context) -> std::unique_ptr<Agent> {
            if (!context.spec.action_space.discrete())
              throw UserError(fmt::format(
                  "{} picks one of n discrete actions; {} has {} actions (a continuous-control "
                  "agent is needed)",
                  name, context.spec.id, DescribeActions(context.spec)));
            return std::make_unique<Dqn>(context, DqnOptions::FromConfig(*context.config, name));
          }};
}

}  // namespace

const std::vector<AgentEntry>& Agents() {
  static const std::vector<AgentEntry> agents = {
      DqnVariant("dqn",
                 "DQN family (Mnih et al. 2015): double, dueling, n-step, prioritized replay"),
      DqnVariant("mdqn", "Munchausen DQN (Vieillard et al. 2020): soft target, log-policy bonus"),
      DqnVariant("c51", "C51 (Bellemare et al. 2017): categorical return distribution"),
      DqnVariant("rainbow",
                 "Rainbow (Hessel et al. 2018): C51 + n-step + prioritized + dueling + noisy + "
                 "double, each a switch"),
      DqnVariant("qrdqn", "QR-DQN (Dabney et al. 2018): quantile regression at fixed fractions"),
      DqnVariant("iqn", "IQN (Dabney et al. 2018): implicit quantiles at sampled fractions"),
      DqnVariant("der", "Data-Efficient Rainbow (van Hasselt et al. 2019): rainbow tuned for 100k"),
      DqnVariant("drq_eps",
                 "DrQ(eps) (Kostrikov et al. 2021; Agarwal et al. 2021): dqn + shift augmentation"),
      DqnVariant("spr", "SPR (Schwarzer et al. 2021): der + augmentation + self-predictive loss"),
      DqnVariant("bbf",
                 "BBF (Schwarzer et al. 2023): spr on a wide IMPALA net, replay ratio 8, resets, "
                 "annealed n and gamma, AdamW"),
      DqnVariant("qdagger",
                 "QDagger (Agarwal et al. 2022): dqn reincarnated from a teacher run by "
                 "pretraining on its replay and distilling its policy"),
      {.name = "sac",
       .description = "SAC (Haarnoja et al. 2018): soft actor-critic for continuous (Box) "
                      "actions, clipped double Q, automatic entropy tuning",
       .add_keys = [](ConfigSchema& schema) { SacOptions::AddKeys(schema); },
       .make = [](const AgentContext& context) -> std::unique_ptr<Agent> {
         return std::make_unique<Sac>(context, SacOptions::FromConfig(*context.config));
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
