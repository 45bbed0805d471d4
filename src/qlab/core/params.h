// Env parameters: each env declares its parameters (name, type, default, doc); a user writes
// them in the env name, `minatar/breakout(sticky=0,ramping=false,actions=full)`. Parsing checks
// every name and value against the declaration and fills in defaults, so an env only ever sees a
// complete, valid set.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace qlab {

struct ParamSpec {
  enum class Type { kBool, kInt, kFloat, kChoice };
  std::string name;
  Type type = Type::kFloat;
  std::string default_value;         // in the textual form a user would write
  std::string doc;                   // one line
  std::vector<std::string> choices;  // kChoice only
  double min = -1e300, max = 1e300;  // kInt/kFloat: inclusive bounds

  std::string TypeName() const;
};

// A complete, validated parameter set (canonical text values by name).
class Params {
 public:
  bool GetBool(const std::string& name) const;
  int GetInt(const std::string& name) const;
  double GetFloat(const std::string& name) const;
  const std::string& GetString(const std::string& name) const;
  const std::map<std::string, std::string>& values() const { return values_; }
  void Set(const std::string& name, std::string value) { values_[name] = std::move(value); }

 private:
  const std::string& Raw(const std::string& name) const;
  std::map<std::string, std::string> values_;
};

// "minatar/breakout(sticky=0,ramping=false)" -> name + key/value pairs in written order.
struct ParsedName {
  std::string name;
  std::vector<std::pair<std::string, std::string>> args;
};
ParsedName ParseEnvName(std::string_view text);  // throws UserError when malformed

// Validates `args` against `specs` (unknown names, bad values: UserError naming `owner`), and
// fills defaults.
Params ResolveParams(const std::string& owner, const std::vector<ParamSpec>& specs,
                     const std::vector<std::pair<std::string, std::string>>& args);

// "minatar/breakout(actions=full,sticky=0.1)": name + every parameter, sorted, canonical values.
std::string CanonicalName(const std::string& name, const Params& params);

}  // namespace qlab
