// MinAtar against the reference's public bit-exact traces (sticky actions 0): every observation
// bit, reward, terminal flag and ramp index after every action.
#include <gtest/gtest.h>

#include "qlab/envs/minatar/breakout.h"
#include "qlab/envs/minatar/minatar.h"
#include "qlab/envs/minatar/space_invaders.h"
#include "test_data.h"

namespace qlab::minatar {
namespace {

// Decodes the trace's hex of numpy.packbits over a [10, 10, C] (y, x, c) boolean array into CHW.
std::vector<uint8_t> DecodeObs(const std::string& hex, int channels) {
  std::vector<uint8_t> bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    bytes.push_back(std::stoi(hex.substr(i, 2), nullptr, 16));
  std::vector<uint8_t> chw(channels * 100);
  for (int y = 0; y < 10; ++y)
    for (int x = 0; x < 10; ++x)
      for (int c = 0; c < channels; ++c) {
        const int bit = (y * 10 + x) * channels + c;
        chw[c * 100 + y * 10 + x] = (bytes.at(bit / 8) >> (7 - bit % 8)) & 1;
      }
  return chw;
}

template <class Game>
void CheckCase(const nlohmann::json& c, int case_index) {
  SCOPED_TRACE(::testing::Message()
               << c["game"] << " case " << case_index << ": " << c["description"]);
  MinAtar<Game> env({.sticky = 0.0, .ramping = true, .minimal_actions = false});
  Rng rng(0);
  env.Reset(rng);
  if constexpr (std::is_same_v<Game, Breakout>) {
    env.game().SetStartSide(c["reset_info"]["start"]["ball_x"].get<int>() == 0 ? 0 : 9);
  }
  std::vector<uint8_t> obs(Game::kChannels * 100);
  env.WriteObs(obs.data());
  ASSERT_EQ(obs, DecodeObs(c["initial_obs"], Game::kChannels)) << "initial observation";
  const auto& actions = c["actions"];
  int mismatches = 0;
  for (size_t t = 0; t < actions.size() && mismatches < 3; ++t) {
    StepOutcome outcome = env.Step(actions[t].get<int>(), rng);
    env.WriteObs(obs.data());
    const bool ok = obs == DecodeObs(c["obs"][t], Game::kChannels) &&
                    outcome.reward == c["reward"][t].get<double>() &&
                    outcome.terminated == c["terminal"][t].get<bool>() &&
                    (c["difficulty_ramp"][t].is_null() ||
                     env.game().RampIndex() == c["difficulty_ramp"][t].get<int>());
    EXPECT_TRUE(ok) << "first difference at step " << t << " (action " << actions[t] << ")";
    mismatches += !ok;
  }
  EXPECT_EQ(mismatches, 0);
}

TEST(MinAtarGolden, ReproducesPublicTracesBitExactly) {
  const nlohmann::json data = qlab::testing::LoadTestJson("minatar_traces_public.json");
  int checked = 0;
  for (size_t i = 0; i < data["cases"].size(); ++i) {
    const auto& c = data["cases"][i];
    if (c["game"] == "breakout") {
      CheckCase<Breakout>(c, static_cast<int>(i));
    } else if (c["game"] == "space_invaders") {
      CheckCase<SpaceInvaders>(c, static_cast<int>(i));
    } else {
      FAIL() << "unexpected game " << c["game"];
    }
    ++checked;
  }
  EXPECT_EQ(checked, 3);
}

}  // namespace
}  // namespace qlab::minatar
