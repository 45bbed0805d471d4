// qlab play: watch or play an env in the terminal. With a terminal on stdin the default policy is
// the keyboard (arrows or WASD, space = fire, '.' = no-op, digits pick an action index, q quits);
// otherwise a random policy plays with a delay between frames.
#include <fmt/format.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "qlab/cli/commands.h"
#include "qlab/cli/common.h"
#include "qlab/cli/render.h"
#include "qlab/core/errors.h"
#include "qlab/envs/builtin.h"

namespace qlab::cli {
namespace {

struct PlayArgs {
  std::string env;
  std::string policy;  // "keys" or "random"; empty = keys on a terminal, else random
  uint64_t seed = 0;
  int steps = 1000;
  int delay_ms = 100;
  bool no_color = false;
};

// Puts the terminal in raw mode for the lifetime of the object.
class RawTerminal {
 public:
  RawTerminal() {
    tcgetattr(STDIN_FILENO, &saved_);
    termios raw = saved_;
    raw.c_lflag &= ~(ICANON | ECHO);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    tcsetattr(STDIN_FILENO, TCSANOW, &raw);
  }
  ~RawTerminal() { tcsetattr(STDIN_FILENO, TCSANOW, &saved_); }
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;

 private:
  termios saved_{};
};

int FindAction(const EnvSpec& spec, const std::string& name) {
  const auto& names = spec.action_space.names;
  auto it = std::find(names.begin(), names.end(), name);
  return it == names.end() ? -1 : static_cast<int>(it - names.begin());
}

// Reads one key press and maps it to an action index; -2 quits, -1 is an unmapped key.
int ReadKeyAction(const EnvSpec& spec) {
  char c = 0;
  if (read(STDIN_FILENO, &c, 1) != 1 || c == 'q') return -2;
  std::string name;
  if (c == '\033') {  // arrow keys: ESC [ A/B/C/D
    char seq[2];
    if (read(STDIN_FILENO, seq, 2) != 2) return -1;
    name = seq[1] == 'A' ? "up" : seq[1] == 'B' ? "down" : seq[1] == 'C' ? "right" : "left";
  } else if (c >= '0' && c <= '9') {
    return c - '0' < spec.action_space.n ? c - '0' : -1;
  } else {
    switch (c) {
      case 'w':
        name = "up";
        break;
      case 's':
        name = "down";
        break;
      case 'a':
        name = "left";
        break;
      case 'd':
        name = "right";
        break;
      case ' ':
        name = "fire";
        break;
      case '.':
        name = "noop";
        break;
      default:
        return -1;
    }
  }
  int action = FindAction(spec, name);
  return action >= 0 ? action : FindAction(spec, "noop");
}

void RunPlay(const PlayArgs& args) {
  auto env = BuiltinEnvs().Make(args.env, {.num_envs = 1, .seed = args.seed});
  const EnvSpec& spec = env->spec();
  const bool tty_in = isatty(STDIN_FILENO);
  std::string policy = args.policy.empty() ? (tty_in ? "keys" : "random") : args.policy;
  if (policy != "keys" && policy != "random")
    throw UserError(fmt::format("unknown play policy '{}' (valid: keys, random)", policy));
  if (policy == "keys" && !tty_in)
    throw UserError("--policy keys needs a terminal on stdin; use --policy random");
  if (policy == "keys" && !spec.action_space.discrete())
    throw UserError(
        fmt::format("--policy keys picks discrete actions; {} has {} actions (use "
                    "--policy random)",
                    spec.id, DescribeActions(spec)));
  const bool color = !args.no_color && isatty(STDOUT_FILENO);

  Rng rng(DeriveSeed(args.seed, StreamId("policy")));
  StepBatch batch = env->MakeBatch();
  env->Reset(batch);
  ActionBatch action(*env);
  double episode_return = 0;
  int episode = 1;
  std::unique_ptr<RawTerminal> raw;
  if (policy == "keys") raw = std::make_unique<RawTerminal>();
  std::string status = "start";
  for (int t = 0; t < args.steps; ++t) {
    if (color) fmt::print("\033[H\033[2J");
    fmt::print("{}  episode {}  step {}  return {}  [{}]\n", env->name(), episode, t,
               episode_return, status);
    fmt::print("{}", RenderObs(spec, {batch.obs.data(), batch.obs_bytes}, color));
    if (policy == "keys") {
      fmt::print("actions: {}   (arrows/WASD, space fire, . noop, digits, q quit)\n",
                 fmt::join(spec.action_space.names, " "));
      std::fflush(stdout);
      int a = -1;
      while (a == -1) a = ReadKeyAction(spec);
      if (a == -2) break;
      action.index[0] = a;
    } else {
      std::fflush(stdout);
      action.RandomizeRow(0, rng);
      std::this_thread::sleep_for(std::chrono::milliseconds(args.delay_ms));
    }
    action.StepOn(*env, batch);
    episode_return += batch.reward[0];
    status = spec.action_space.discrete() ? spec.action_space.names[action.index[0]]
                                          : fmt::format("{:+.2f}", fmt::join(action.box, " "));
    if (batch.done(0)) {
      status =
          fmt::format("episode {} {} with return {}", episode,
                      batch.terminated[0] ? "terminated" : "truncated", batch.episode_return[0]);
      episode_return = 0;
      ++episode;
    }
  }
  fmt::print("{}\n", status);
}

}  // namespace

void AddPlayCommand(CLI::App& app) {
  auto args = std::make_shared<PlayArgs>();
  auto* cmd = app.add_subcommand("play", "watch or play an env in the terminal (ANSI)");
  cmd->add_option("--env", args->env, "env name")->required();
  cmd->add_option("--policy", args->policy, "keys | random (default: keys on a terminal)");
  cmd->add_option("--seed", args->seed, "seed")->check(IntAtLeast(0))->capture_default_str();
  cmd->add_option("--steps", args->steps, "maximum steps")
      ->check(IntAtLeast(1))
      ->capture_default_str();
  cmd->add_option("--delay-ms", args->delay_ms, "delay between random-policy frames")
      ->check(IntAtLeast(0))
      ->capture_default_str();
  cmd->add_flag("--no-color", args->no_color, "plain characters instead of colours");
  cmd->callback([args] { RunPlay(*args); });
}

}  // namespace qlab::cli
