// Registers the five MinAtar games as "minatar/<game>".
#include "qlab/envs/builtin.h"
#include "qlab/envs/minatar/asterix.h"
#include "qlab/envs/minatar/breakout.h"
#include "qlab/envs/minatar/freeway.h"
#include "qlab/envs/minatar/minatar.h"
#include "qlab/envs/minatar/seaquest.h"
#include "qlab/envs/minatar/space_invaders.h"

namespace qlab {
namespace {

template <class Game>
void AddGame(Registry& registry, std::string description) {
  registry.Add({
      .name = std::string("minatar/") + Game::kName,
      .description = std::move(description),
      .reference = "MinAtar 1.0.15 (Young & Tian 2019); shared/ref/minatar_spec.md",
      .default_max_steps = 0,
      .params =
          {
              {.name = "sticky",
               .type = ParamSpec::Type::kFloat,
               .default_value = "0.1",
               .doc = "sticky-action probability (repeat the previous action)",
               .min = 0,
               .max = 1},
              {.name = "ramping",
               .type = ParamSpec::Type::kBool,
               .default_value = "true",
               .doc = "difficulty ramping (Asterix, Seaquest, Space Invaders)"},
              {.name = "actions",
               .type = ParamSpec::Type::kChoice,
               .default_value = "minimal",
               .doc =
                   "action set: the game's minimal set or all 6 actions (MinAtar paper, Dopamine)",
               .choices = {"minimal", "full"}},
          },
      .make = MakeEnvFactory<minatar::MinAtar<Game>>([](const Params& params) {
        return minatar::MinAtar<Game>(
            {.sticky = params.GetFloat("sticky"),
             .ramping = params.GetBool("ramping"),
             .minimal_actions = params.GetString("actions") == "minimal"});
      }),
  });
}

}  // namespace

void RegisterMinAtarEnvs(Registry& registry) {
  AddGame<minatar::Breakout>(registry, "paddle and ball against three rows of bricks");
  AddGame<minatar::Asterix>(registry, "collect gold, dodge enemies crossing eight lanes");
  AddGame<minatar::Freeway>(registry, "a chicken crosses traffic; 2501 frames per episode");
  AddGame<minatar::Seaquest>(registry, "submarine: shoot, rescue divers, surface for oxygen");
  AddGame<minatar::SpaceInvaders>(registry, "cannon against a descending alien formation");
}

}  // namespace qlab
