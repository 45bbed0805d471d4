#include "qlab/core/params.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "qlab/core/errors.h"

namespace qlab {
namespace {

std::string Trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return "";
  size_t end = text.find_last_not_of(" \t");
  return std::string(text.substr(begin, end - begin + 1));
}

bool ParseDouble(const std::string& text, double& out) {
  if (text.empty()) return false;
  char* end = nullptr;
  out = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && std::isfinite(out);
}

// Checks one value and returns its canonical text form.
std::string Canonical(const std::string& owner, const ParamSpec& spec, const std::string& value) {
  auto bad = [&](const std::string& expected) {
    return UserError(
        fmt::format("{}: parameter '{}' must be {}, got '{}'", owner, spec.name, expected, value));
  };
  switch (spec.type) {
    case ParamSpec::Type::kBool:
      if (value == "true" || value == "1") return "true";
      if (value == "false" || value == "0") return "false";
      throw bad("true or false");
    case ParamSpec::Type::kInt: {
      long long parsed = 0;
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
      if (ec != std::errc() || ptr != value.data() + value.size()) throw bad("an integer");
      if (parsed < spec.min || parsed > spec.max)
        throw bad(fmt::format("an integer in [{}, {}]", spec.min, spec.max));
      return std::to_string(parsed);
    }
    case ParamSpec::Type::kFloat: {
      double parsed = 0;
      if (!ParseDouble(value, parsed)) throw bad("a number");
      if (parsed < spec.min || parsed > spec.max)
        throw bad(fmt::format("a number in [{}, {}]", spec.min, spec.max));
      return fmt::format("{}", parsed);
    }
    case ParamSpec::Type::kChoice:
      if (std::find(spec.choices.begin(), spec.choices.end(), value) == spec.choices.end())
        throw bad(fmt::format("one of {}", fmt::join(spec.choices, ", ")));
      return value;
  }
  return value;
}

}  // namespace

std::string ParamSpec::TypeName() const {
  switch (type) {
    case Type::kBool:
      return "bool";
    case Type::kInt:
      return "int";
    case Type::kFloat:
      return "float";
    case Type::kChoice:
      return fmt::format("{}", fmt::join(choices, "|"));
  }
  return "?";
}

const std::string& Params::Raw(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) throw std::logic_error("undeclared parameter read: " + name);
  return it->second;
}
bool Params::GetBool(const std::string& name) const { return Raw(name) == "true"; }
int Params::GetInt(const std::string& name) const { return std::stoi(Raw(name)); }
double Params::GetFloat(const std::string& name) const { return std::stod(Raw(name)); }
const std::string& Params::GetString(const std::string& name) const { return Raw(name); }

ParsedName ParseEnvName(std::string_view text) {
  ParsedName parsed;
  size_t open = text.find('(');
  parsed.name = Trim(text.substr(0, open));
  if (parsed.name.empty()) throw UserError(fmt::format("empty env name in '{}'", text));
  if (open == std::string_view::npos) {
    if (text.find(')') != std::string_view::npos)
      throw UserError(fmt::format("malformed env name '{}': ')' without '('", text));
    return parsed;
  }
  if (text.back() != ')' || text.find('(', open + 1) != std::string_view::npos)
    throw UserError(fmt::format("malformed env name '{}': expected name(key=value,...)", text));
  std::string_view inside = text.substr(open + 1, text.size() - open - 2);
  while (!Trim(inside).empty()) {
    size_t comma = inside.find(',');
    std::string_view item = inside.substr(0, comma);
    size_t eq = item.find('=');
    if (eq == std::string_view::npos)
      throw UserError(fmt::format("malformed env parameter '{}' in '{}': expected key=value",
                                  Trim(item), text));
    std::string key = Trim(item.substr(0, eq)), value = Trim(item.substr(eq + 1));
    if (key.empty() || value.empty())
      throw UserError(fmt::format("malformed env parameter '{}' in '{}'", Trim(item), text));
    parsed.args.emplace_back(key, value);
    if (comma == std::string_view::npos) break;
    inside = inside.substr(comma + 1);
  }
  return parsed;
}

Params ResolveParams(const std::string& owner, const std::vector<ParamSpec>& specs,
                     const std::vector<std::pair<std::string, std::string>>& args) {
  Params params;
  for (const auto& spec : specs) params.Set(spec.name, Canonical(owner, spec, spec.default_value));
  std::vector<std::string> seen;
  for (const auto& [key, value] : args) {
    auto it =
        std::find_if(specs.begin(), specs.end(), [&](const auto& s) { return s.name == key; });
    if (it == specs.end()) {
      std::vector<std::string> names;
      for (const auto& s : specs) names.push_back(s.name);
      throw UserError(fmt::format(
          "{}: unknown parameter '{}'{} (valid: {})", owner, key, DidYouMean(key, names),
          names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "))));
    }
    if (std::find(seen.begin(), seen.end(), key) != seen.end())
      throw UserError(fmt::format("{}: parameter '{}' given twice", owner, key));
    seen.push_back(key);
    params.Set(key, Canonical(owner, *it, value));
  }
  return params;
}

std::string CanonicalName(const std::string& name, const Params& params) {
  if (params.values().empty()) return name;
  std::vector<std::string> items;
  for (const auto& [key, value] : params.values()) items.push_back(key + "=" + value);
  return fmt::format("{}({})", name, fmt::join(items, ","));
}

}  // namespace qlab
