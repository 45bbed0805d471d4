// Layered TOML configuration (DESIGN.md §6).
//
// A ConfigSchema declares every key ("section.name") with its type, default, bounds and a one-line
// doc. A Config starts from the defaults and takes layers in order: preset file < user file <
// `--set key=value`. Unknown keys, wrong types and out-of-range values are UserErrors that name the
// key and where it came from. ToToml() writes the fully resolved config (every key), which is
// enough to rerun: reading it back gives the same Config.
//   ConfigSchema schema;
//   schema.Float("agent.gamma", 0.99, "discount factor", {.min = 0, .max = 1});
//   Config config(schema);
//   config.MergeFile("configs/dqn/dopamine_minatar.toml");
//   config.Set("agent.gamma=0.9", "--set");
//   double gamma = config.GetFloat("agent.gamma");
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace qlab {

using ConfigValue = std::variant<bool, int64_t, double, std::string, std::vector<int64_t>>;

struct ConfigKey {
  enum class Type { kBool, kInt, kFloat, kString, kIntList };
  std::string name;  // "section.key"
  Type type = Type::kFloat;
  ConfigValue default_value;
  std::string doc;
  double min = -1e300, max = 1e300;  // kInt/kFloat (and each kIntList element): inclusive
  std::vector<std::string> choices;  // kString: allowed values (empty: any)

  std::string TypeName() const;
};

struct Bounds {
  double min = -1e300, max = 1e300;
};

class ConfigSchema {
 public:
  ConfigSchema& Bool(std::string name, bool value, std::string doc);
  ConfigSchema& Int(std::string name, int64_t value, std::string doc, Bounds bounds = {});
  ConfigSchema& Float(std::string name, double value, std::string doc, Bounds bounds = {});
  ConfigSchema& String(std::string name, std::string value, std::string doc,
                       std::vector<std::string> choices = {});
  ConfigSchema& IntList(std::string name, std::vector<int64_t> value, std::string doc,
                        Bounds bounds = {});

  // Changes the default of a declared key (an agent family member with other defaults, e.g.
  // rainbow's n_step = 3); the value must have the key's type.
  ConfigSchema& SetDefault(const std::string& name, ConfigValue value);

  const ConfigKey* Find(std::string_view name) const;  // nullptr if unknown
  const std::vector<ConfigKey>& keys() const { return keys_; }
  std::vector<std::string> names() const;

 private:
  ConfigSchema& Add(ConfigKey key);
  std::vector<ConfigKey> keys_;
};

class Config {
 public:
  explicit Config(const ConfigSchema& schema);

  // Layers. `source` names the layer in error messages ("configs/dqn/x.toml", "--set").
  void MergeFile(const std::string& path);
  void MergeToml(std::string_view text, const std::string& source);
  void Set(std::string_view assignment, const std::string& source = "--set");  // "key=value"
  // Typed set from code (validated like any layer).
  void SetValue(const std::string& key, ConfigValue value, const std::string& source);

  bool GetBool(const std::string& key) const;
  int64_t GetInt(const std::string& key) const;
  double GetFloat(const std::string& key) const;
  const std::string& GetString(const std::string& key) const;
  const std::vector<int64_t>& GetIntList(const std::string& key) const;
  bool IsDefault(const std::string& key) const;

  // Every key, grouped by section, each preceded by its doc as a comment.
  std::string ToToml() const;
  const ConfigSchema& schema() const { return *schema_; }

 private:
  const ConfigValue& Get(const std::string& key, ConfigKey::Type type) const;
  const ConfigSchema* schema_;
  std::map<std::string, ConfigValue> values_;
  std::map<std::string, std::string> sources_;  // key -> layer that set it last
};

// Reads only `section.key` of a TOML file as a string ("" if absent), e.g. to learn the agent name
// before the agent's schema exists. UserError if the file is unreadable or malformed.
std::string PeekTomlString(const std::string& path, const std::string& key);

// The text form of a value as TOML writes it ("0.99", "[120, 84]", "\"mlp\"").
std::string ConfigValueText(const ConfigValue& value);

}  // namespace qlab
