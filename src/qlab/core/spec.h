// EnvSpec: the immutable description of an environment (DESIGN.md §4), separate from its
// mutable state. Agents, replay and the CLI read shapes, dtypes and action sets from here only.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace qlab {

enum class DType { kUInt8, kFloat32 };
const char* DTypeName(DType dtype);
size_t DTypeSize(DType dtype);

// Either n discrete actions, or a box of continuous actions in [low, high] per dimension.
struct ActionSpace {
  enum class Kind { kDiscrete, kBox };
  Kind kind = Kind::kDiscrete;
  int n = 0;                       // discrete: number of actions
  std::vector<std::string> names;  // discrete: one name per action ("left", "fire")
  std::vector<float> low, high;    // box: per-dimension bounds
  bool discrete() const { return kind == Kind::kDiscrete; }
  int dims() const { return discrete() ? 1 : static_cast<int>(low.size()); }
};

struct EnvSpec {
  std::string id;              // registry name without parameters, e.g. "minatar/breakout"
  std::string version;         // behaviour version, e.g. "MinAtar 1.0.15", "CartPole-v1"
  std::vector<int> obs_shape;  // channels first: [C, H, W] for images, [D] for vectors
  DType obs_dtype = DType::kFloat32;
  bool obs_binary = false;  // every element is 0 or 1: replay stores observations bit-packed
  std::vector<std::string> obs_labels;  // channel names (images) or component names (vectors)
  ActionSpace action_space;
  double reward_min = -std::numeric_limits<double>::infinity();
  double reward_max = std::numeric_limits<double>::infinity();
  int max_episode_steps = 0;  // time limit reported as `truncated`; 0 = none
  int frames_per_step = 1;    // emulator frames per env step (for frame counts)

  size_t obs_size() const;  // number of elements in one observation
  size_t obs_bytes() const { return obs_size() * DTypeSize(obs_dtype); }
  bool image() const { return obs_shape.size() == 3; }
};

// "[4,10,10] uint8" style summary for tables.
std::string DescribeObs(const EnvSpec& spec);
std::string DescribeActions(const EnvSpec& spec);

}  // namespace qlab
