#include "qlab/sweep/sweep_spec.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "qlab/core/errors.h"
#include "qlab/core/files.h"
#include "qlab/core/rng.h"
#include "qlab/core/toml_parse.h"

namespace qlab::sweep {
namespace fs = std::filesystem;

namespace {

using Overrides = std::vector<std::pair<std::string, std::string>>;

// A TOML value as the text `--set key=value` parses back to the same value.
std::string TomlText(const toml::node& node) {
  std::ostringstream out;
  node.visit([&](const auto& value) { out << value; });
  return out.str();
}

// FNV-1a, 64 bits: a stable hash (std::hash is not stable across builds).
uint64_t StableHash(std::string_view text) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) hash = (hash ^ c) * 1099511628211ull;
  return hash;
}

class SpecReader {
 public:
  SpecReader(const toml::table& table, std::string path) : table_(table), path_(std::move(path)) {}

  [[noreturn]] void Fail(const std::string& message) const {
    throw UserError(fmt::format("{}: {}", path_, message));
  }

  // Unknown keys of a table are errors that list the valid ones.
  void CheckKeys(const toml::table& table, const std::string& where,
                 const std::vector<std::string>& valid) const {
    for (const auto& [key, value] : table)
      if (std::find(valid.begin(), valid.end(), key.str()) == valid.end())
        Fail(fmt::format("unknown key '{}' in [{}]{} (valid: {})", key.str(), where,
                         DidYouMean(key.str(), valid), fmt::join(valid, ", ")));
  }

  std::string String(const toml::table& table, const std::string& key, const std::string& where,
                     const std::string& fallback) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) return fallback;
    if (!node->is_string()) Fail(fmt::format("[{}] {} must be a string", where, key));
    return node->as_string()->get();
  }

  int64_t Int(const toml::table& table, const std::string& key, const std::string& where,
              int64_t fallback, int64_t min) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) return fallback;
    if (!node->is_integer() || node->as_integer()->get() < min)
      Fail(fmt::format("[{}] {} must be an integer >= {}", where, key, min));
    return node->as_integer()->get();
  }

  std::vector<std::string> Strings(const toml::table& table, const std::string& key,
                                   const std::string& where) const {
    std::vector<std::string> out;
    const toml::node* node = table.get(key);
    if (node == nullptr) return out;
    if (node->is_string()) return {node->as_string()->get()};
    const toml::array* array = node->as_array();
    if (array == nullptr)
      Fail(fmt::format("[{}] {} must be a string or a list of strings", where, key));
    for (const auto& item : *array) {
      if (!item.is_string())
        Fail(fmt::format("[{}] {} must be a string or a list of strings", where, key));
      out.push_back(item.as_string()->get());
    }
    return out;
  }

  // Every key = value of a table, in file order, as overrides.
  Overrides Values(const toml::table& table, const std::set<std::string>& skip = {}) const {
    Overrides out;
    for (const auto& [key, value] : table)
      if (!skip.contains(std::string(key.str()))) out.emplace_back(key.str(), TomlText(value));
    return out;
  }

  const toml::table& table_;
  std::string path_;
};

// One random sample of each [random] key: {log_uniform = [a, b]}, {uniform = [a, b]},
// {int_uniform = [a, b]} (inclusive) or {choice = [...]}. Sample i draws from its own stream,
// keys in name order, so samples do not move when other samples or axes are added.
Overrides RandomSample(const SpecReader& reader, const toml::table& random, uint64_t seed,
                       int sample) {
  Rng rng(DeriveSeed(seed, StreamId("sweep/random") + static_cast<uint64_t>(sample)));
  std::map<std::string, const toml::table*> keys;
  for (const auto& [key, value] : random) {
    if (key.str() == "samples" || key.str() == "seed") continue;
    if (!value.is_table())
      reader.Fail(fmt::format(
          "[random] {} must be a table like {{log_uniform = [1e-4, 1e-3]}} (uniform, log_uniform, "
          "int_uniform or choice)",
          key.str()));
    keys[std::string(key.str())] = value.as_table();
  }
  Overrides out;
  for (const auto& [key, distribution] : keys) {
    std::string kind;
    const toml::array* values = nullptr;
    int count = 0;
    for (const auto& [name, arguments] : *distribution) {
      kind = name.str();
      values = arguments.as_array();
      ++count;
    }
    if (count != 1) reader.Fail(fmt::format("[random] {} needs exactly one distribution", key));
    if (values == nullptr || values->empty())
      reader.Fail(fmt::format("[random] {}: {} needs a list", key, kind));
    if (kind == "choice") {
      out.emplace_back(
          key, TomlText(*values->get(rng.UniformInt(static_cast<uint32_t>(values->size())))));
      continue;
    }
    const auto low = values->size() == 2 ? (*values)[0].value<double>() : std::nullopt;
    const auto high = values->size() == 2 ? (*values)[1].value<double>() : std::nullopt;
    if (!low || !high || !(*low <= *high))
      reader.Fail(fmt::format("[random] {}: {} needs [low, high] with low <= high", key, kind));
    if (kind == "uniform") {
      out.emplace_back(key, fmt::format("{}", rng.Uniform(*low, *high)));
    } else if (kind == "log_uniform") {
      if (*low <= 0) reader.Fail(fmt::format("[random] {}: log_uniform needs low > 0", key));
      out.emplace_back(key,
                       fmt::format("{}", std::exp(rng.Uniform(std::log(*low), std::log(*high)))));
    } else if (kind == "int_uniform") {
      const auto a = static_cast<int64_t>(*low), b = static_cast<int64_t>(*high);
      out.emplace_back(key, std::to_string(a + static_cast<int64_t>(rng.UniformInt(
                                                   static_cast<uint32_t>(b - a + 1)))));
    } else {
      reader.Fail(
          fmt::format("[random] {}: unknown distribution '{}' (valid: uniform, log_uniform, "
                      "int_uniform, choice)",
                      key, kind));
    }
  }
  return out;
}

// The cartesian product of the [grid] axes, first axis slowest.
std::vector<Overrides> Grid(const SpecReader& reader, const toml::table* grid) {
  std::vector<Overrides> points{{}};
  if (grid == nullptr) return points;
  for (const auto& [key, value] : *grid) {
    const toml::array* values = value.as_array();
    if (values == nullptr || values->empty())
      reader.Fail(fmt::format("[grid] {} must be a non-empty list of values", key.str()));
    std::vector<Overrides> next;
    for (const auto& point : points)
      for (const auto& v : *values) {
        Overrides extended = point;
        extended.emplace_back(key.str(), TomlText(v));
        next.push_back(std::move(extended));
      }
    points = std::move(next);
  }
  return points;
}

// "dqn[updates_per_step=0.5,lr=0.0003]": the last part of each swept key (the full key where two
// share it), values as written (random floats to 4 significant digits).
std::string Label(const std::string& base, const Overrides& swept) {
  if (swept.empty()) return base;
  std::map<std::string, int> suffix_count;
  const auto suffix = [](const std::string& key) { return key.substr(key.rfind('.') + 1); };
  for (const auto& [key, value] : swept) ++suffix_count[suffix(key)];
  std::vector<std::string> parts;
  for (const auto& [key, value] : swept) {
    std::string shown = value;
    if (shown.find_first_of(".e") != std::string::npos && shown.front() != '"' &&
        shown.front() != '[') {
      char* end = nullptr;
      const double number = std::strtod(shown.c_str(), &end);
      if (end != nullptr && *end == '\0') shown = fmt::format("{:.4g}", number);
    }
    parts.push_back(fmt::format("{}={}", suffix_count[suffix(key)] > 1 ? key : suffix(key), shown));
  }
  return fmt::format("{}[{}]", base, fmt::join(parts, ","));
}

std::string EnvSlug(std::string env) {
  for (char& c : env)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.') c = '-';
  return env;
}

}  // namespace

SweepSpec ParseSweepSpec(const std::string& text, const std::string& path) {
  const toml::table table = ParseToml(text, path);
  const SpecReader reader(table, path);
  reader.CheckKeys(table, "top level", {"sweep", "set", "grid", "variants", "random", "slurm"});
  const toml::table* sweep = table["sweep"].as_table();
  if (sweep == nullptr) reader.Fail("missing the [sweep] table (agent, envs, seeds, ...)");
  reader.CheckKeys(*sweep, "sweep",
                   {"name", "out", "agent", "config", "envs", "seeds", "threads", "device",
                    "workers", "executor"});

  SweepSpec spec;
  spec.name = reader.String(*sweep, "name", "sweep", fs::path(path).stem().string());
  spec.out = reader.String(*sweep, "out", "sweep", "sweeps/" + spec.name);
  spec.executor = reader.String(*sweep, "executor", "sweep", "local");
  if (spec.executor != "local" && spec.executor != "slurm")
    reader.Fail(fmt::format("unknown executor '{}' (valid: local, slurm)", spec.executor));
  spec.threads = static_cast<int>(reader.Int(*sweep, "threads", "sweep", 1, 1));
  spec.workers = static_cast<int>(reader.Int(*sweep, "workers", "sweep", 0, 0));
  spec.device = reader.String(*sweep, "device", "sweep", "");
  if (const toml::table* slurm = table["slurm"].as_table()) {
    reader.CheckKeys(*slurm, "slurm",
                     {"partition", "time", "mem", "account", "qos", "gres", "cpus_per_task",
                      "max_parallel", "sbatch_args", "setup"});
    SlurmOptions& o = spec.slurm;
    for (auto [key, field] : {std::pair{"partition", &o.partition},
                              {"time", &o.time},
                              {"mem", &o.mem},
                              {"account", &o.account},
                              {"qos", &o.qos},
                              {"gres", &o.gres}}) {
      *field = reader.String(*slurm, key, "slurm", "");
      if (field->find_first_of(" \t\n'\"") != std::string::npos)
        reader.Fail(fmt::format("[slurm] {} must not contain spaces or quotes", key));
    }
    o.cpus_per_task = static_cast<int>(reader.Int(*slurm, "cpus_per_task", "slurm", 0, 1));
    o.max_parallel = static_cast<int>(reader.Int(*slurm, "max_parallel", "slurm", 0, 1));
    o.sbatch_args = reader.Strings(*slurm, "sbatch_args", "slurm");
    o.setup = reader.Strings(*slurm, "setup", "slurm");
  }
  const std::string agent = reader.String(*sweep, "agent", "sweep", "");
  if (agent.empty()) reader.Fail("[sweep] agent is required (qlab agents lists them)");

  // config files: relative to the spec when they exist there, else preset names
  auto resolve = [&](std::vector<std::string> configs) {
    for (auto& config : configs) {
      const fs::path beside = fs::path(path).parent_path() / config;
      if (fs::path(config).is_relative() && fs::exists(beside))
        config = fs::absolute(beside).string();
    }
    return configs;
  };
  const std::vector<std::string> written_configs = reader.Strings(*sweep, "config", "sweep");
  const std::vector<std::string> configs = resolve(written_configs);
  const std::vector<std::string> envs = reader.Strings(*sweep, "envs", "sweep");
  if (envs.empty()) reader.Fail("[sweep] envs is required: a name or a list of env names");

  std::vector<uint64_t> seeds;
  if (const toml::node* node = sweep->get("seeds"); node == nullptr || node->is_integer()) {
    const int64_t count = reader.Int(*sweep, "seeds", "sweep", 1, 1);
    for (int64_t s = 0; s < count; ++s) seeds.push_back(static_cast<uint64_t>(s));
  } else if (const toml::array* array = node->as_array()) {
    for (const auto& item : *array) {
      if (!item.is_integer() || item.as_integer()->get() < 0)
        reader.Fail("[sweep] seeds must be a count or a list of non-negative integers");
      seeds.push_back(static_cast<uint64_t>(item.as_integer()->get()));
    }
  } else {
    reader.Fail("[sweep] seeds must be a count or a list of non-negative integers");
  }
  if (std::set<uint64_t>(seeds.begin(), seeds.end()).size() != seeds.size())
    reader.Fail("[sweep] seeds lists a seed twice");

  const Overrides fixed =
      table["set"].as_table() ? reader.Values(*table["set"].as_table()) : Overrides{};

  // variants: labelled override sets (default: one, the base)
  // a variant may also train another agent from other config files (one study, many agents)
  struct Variant {
    std::string label;
    Overrides sets;
    std::string agent;
    std::optional<std::vector<std::string>> written_configs;
  };
  std::vector<Variant> variants;
  if (const toml::node* node = table.get("variants")) {
    const toml::array* array = node->as_array();
    if (array == nullptr || array->empty() || !array->is_array_of_tables())
      reader.Fail("variants must be [[variants]] tables of overrides");
    for (const auto& item : *array) {
      const toml::table& t = *item.as_table();
      Variant v;
      if (const toml::node* label = t.get("label")) {
        if (!label->is_string()) reader.Fail("[[variants]] label must be a string");
        v.label = label->as_string()->get();
      }
      if (const toml::node* variant_agent = t.get("agent")) {
        if (!variant_agent->is_string() || variant_agent->as_string()->get().empty())
          reader.Fail("[[variants]] agent must be an agent name");
        v.agent = variant_agent->as_string()->get();
      }
      if (t.get("config") != nullptr) v.written_configs = reader.Strings(t, "config", "variants");
      v.sets = reader.Values(t, {"label", "agent", "config"});
      variants.push_back(std::move(v));
    }
  } else {
    variants.push_back({});
  }

  const std::vector<Overrides> grid = Grid(reader, table["grid"].as_table());
  std::vector<Overrides> samples{{}};
  if (const toml::table* random = table["random"].as_table()) {
    const int64_t count = reader.Int(*random, "samples", "random", 0, 1);
    if (count == 0) reader.Fail("[random] samples is required (how many configurations to draw)");
    const auto seed = static_cast<uint64_t>(reader.Int(*random, "seed", "random", 0, 0));
    samples.clear();
    for (int64_t i = 0; i < count; ++i)
      samples.push_back(RandomSample(reader, *random, seed, static_cast<int>(i)));
  }

  std::set<std::string> ids;
  // reports group runs by (label, env) and tell seeds apart: two different runs in one slot
  // would be averaged together as one agent
  std::map<std::string, std::string> slots;  // "label env seed" -> run id
  for (const auto& variant : variants)
    for (const auto& point : grid)
      for (const auto& sample : samples)
        for (const auto& env : envs)
          for (uint64_t seed : seeds) {
            SweepRun run;
            run.agent = variant.agent.empty() ? agent : variant.agent;
            run.env = env;
            run.seed = seed;
            const std::vector<std::string>& run_configs =
                variant.written_configs ? *variant.written_configs : written_configs;
            run.config_files = variant.written_configs ? resolve(run_configs) : configs;
            for (const Overrides* part : {&fixed, &variant.sets, &point, &sample})
              run.sets.insert(run.sets.end(), part->begin(), part->end());
            if (variant.label.empty()) run.swept = variant.sets;
            run.swept.insert(run.swept.end(), point.begin(), point.end());
            run.swept.insert(run.swept.end(), sample.begin(), sample.end());
            run.label = Label(variant.label.empty() ? run.agent : variant.label, run.swept);
            std::string identity = fmt::format("{}\n{}\n{}\n", run.agent, env, seed);
            for (const auto& config : run_configs) identity += "config " + config + "\n";
            for (const auto& [key, value] : run.sets) identity += key + "=" + value + "\n";
            run.id = fmt::format("{}_s{}_{:010x}", EnvSlug(env), seed,
                                 StableHash(identity) & 0xffffffffffull);
            if (!ids.insert(run.id).second)
              reader.Fail(
                  fmt::format("two runs are identical ({}): an axis repeats a value", run.id));
            const std::string slot = fmt::format("{} {} {}", run.label, env, seed);
            if (const auto [it, fresh] = slots.emplace(slot, run.id); !fresh)
              reader.Fail(fmt::format(
                  "runs {} and {} differ but both are label '{}' on {}, seed {}: give the "
                  "[[variants]] distinct labels",
                  it->second, run.id, run.label, env, seed));
            spec.runs.push_back(std::move(run));
          }
  return spec;
}

SweepSpec LoadSweepSpec(const std::string& path) {
  return ParseSweepSpec(ReadFile(path, "sweep spec"), path);
}

}  // namespace qlab::sweep
