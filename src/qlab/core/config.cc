#include "qlab/core/config.h"

#include <fmt/format.h>

#include <toml++/toml.h>
#include <algorithm>
#include <cmath>
#include <functional>
#include <sstream>

#include "qlab/core/check.h"
#include "qlab/core/errors.h"
#include "qlab/core/files.h"
#include "qlab/core/toml_parse.h"

namespace qlab {

toml::table ParseToml(std::string_view text, const std::string& source) {
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    throw UserError(fmt::format("{}:{}:{}: malformed TOML: {}", source, where.line, where.column,
                                e.description()));
  }
}

namespace {

using Type = ConfigKey::Type;

// Converts a TOML node to the key's type; UserError names key and source on a mismatch.
ConfigValue FromNode(const ConfigKey& key, const toml::node& node, const std::string& source) {
  auto wrong = [&]() {
    return UserError(
        fmt::format("{}: key '{}' must be {} ({})", source, key.name, key.TypeName(), key.doc));
  };
  switch (key.type) {
    case Type::kBool:
      if (auto v = node.value_exact<bool>()) return *v;
      throw wrong();
    case Type::kInt:
      if (auto v = node.value_exact<int64_t>()) return *v;
      throw wrong();
    case Type::kFloat:
      if (node.is_integer()) return static_cast<double>(*node.value<int64_t>());
      if (auto v = node.value_exact<double>()) return *v;
      throw wrong();
    case Type::kString:
      if (auto v = node.value_exact<std::string>()) return *v;
      throw wrong();
    case Type::kIntList: {
      const toml::array* array = node.as_array();
      if (array == nullptr) throw wrong();
      std::vector<int64_t> list;
      for (const toml::node& item : *array) {
        auto v = item.value_exact<int64_t>();
        if (!v) throw wrong();
        list.push_back(*v);
      }
      return list;
    }
  }
  QLAB_CHECK(false);
}

void Validate(const ConfigKey& key, const ConfigValue& value, const std::string& source) {
  auto check_range = [&](double x) {
    if (!(x >= key.min && x <= key.max))
      throw UserError(fmt::format("{}: key '{}' = {} is out of range [{}, {}] ({})", source,
                                  key.name, x, key.min, key.max, key.doc));
  };
  switch (key.type) {
    case Type::kInt:
      check_range(static_cast<double>(std::get<int64_t>(value)));
      break;
    case Type::kFloat:
      if (!std::isfinite(std::get<double>(value)))
        throw UserError(fmt::format("{}: key '{}' must be finite", source, key.name));
      check_range(std::get<double>(value));
      break;
    case Type::kIntList:
      for (int64_t x : std::get<std::vector<int64_t>>(value)) check_range(static_cast<double>(x));
      break;
    case Type::kString:
      if (!key.choices.empty()) {
        const auto& text = std::get<std::string>(value);
        bool known = false;
        for (const auto& choice : key.choices) known = known || choice == text;
        if (!known)
          throw UserError(fmt::format("{}: key '{}' = '{}' is not one of: {}{}", source, key.name,
                                      text, fmt::join(key.choices, ", "),
                                      DidYouMean(text, key.choices)));
      }
      break;
    case Type::kBool:
      break;
  }
}

std::string Section(const std::string& name) {
  const size_t dot = name.find('.');
  return dot == std::string::npos ? std::string() : name.substr(0, dot);
}

}  // namespace

std::string ConfigKey::TypeName() const {
  switch (type) {
    case Type::kBool:
      return "a boolean";
    case Type::kInt:
      return "an integer";
    case Type::kFloat:
      return "a number";
    case Type::kString:
      return choices.empty() ? "a string"
                             : "one of \"" + fmt::format("{}", fmt::join(choices, "\", \"")) + "\"";
    case Type::kIntList:
      return "a list of integers";
  }
  return "?";
}

ConfigSchema& ConfigSchema::Add(ConfigKey key) {
  QLAB_CHECK(Find(key.name) == nullptr);
  QLAB_CHECK(key.name.find('.') != std::string::npos);
  keys_.push_back(std::move(key));
  return *this;
}
ConfigSchema& ConfigSchema::SetDefault(const std::string& name, ConfigValue value) {
  const ConfigKey* key = Find(name);
  QLAB_CHECK(key != nullptr);
  QLAB_CHECK(key->default_value.index() == value.index());
  keys_[key - keys_.data()].default_value = std::move(value);
  return *this;
}

ConfigSchema& ConfigSchema::Bool(std::string name, bool value, std::string doc) {
  return Add({.name = std::move(name),
              .type = Type::kBool,
              .default_value = value,
              .doc = std::move(doc)});
}
ConfigSchema& ConfigSchema::Int(std::string name, int64_t value, std::string doc, Bounds bounds) {
  return Add({.name = std::move(name),
              .type = Type::kInt,
              .default_value = value,
              .doc = std::move(doc),
              .min = bounds.min,
              .max = bounds.max});
}
ConfigSchema& ConfigSchema::Float(std::string name, double value, std::string doc, Bounds bounds) {
  return Add({.name = std::move(name),
              .type = Type::kFloat,
              .default_value = value,
              .doc = std::move(doc),
              .min = bounds.min,
              .max = bounds.max});
}
ConfigSchema& ConfigSchema::String(std::string name, std::string value, std::string doc,
                                   std::vector<std::string> choices) {
  return Add({.name = std::move(name),
              .type = Type::kString,
              .default_value = std::move(value),
              .doc = std::move(doc),
              .choices = std::move(choices)});
}
ConfigSchema& ConfigSchema::IntList(std::string name, std::vector<int64_t> value, std::string doc,
                                    Bounds bounds) {
  return Add({.name = std::move(name),
              .type = Type::kIntList,
              .default_value = std::move(value),
              .doc = std::move(doc),
              .min = bounds.min,
              .max = bounds.max});
}

const ConfigKey* ConfigSchema::Find(std::string_view name) const {
  for (const auto& key : keys_)
    if (key.name == name) return &key;
  return nullptr;
}

std::vector<std::string> ConfigSchema::names() const {
  std::vector<std::string> names;
  for (const auto& key : keys_) names.push_back(key.name);
  return names;
}

Config::Config(const ConfigSchema& schema) : schema_(&schema) {
  for (const auto& key : schema.keys()) {
    Validate(key, key.default_value, "default of");
    values_[key.name] = key.default_value;
  }
}

void Config::MergeFile(const std::string& path) { MergeToml(ReadFile(path, "config file"), path); }

void Config::MergeToml(std::string_view text, const std::string& source) {
  const toml::table table = ParseToml(text, source);
  for (const auto& [section, node] : table) {
    const toml::table* keys = node.as_table();
    if (keys == nullptr)
      throw UserError(fmt::format("{}: '{}' must be a [section] of keys (e.g. [run], [agent])",
                                  source, section.str()));
    // a nested table ([network.moe], or moe.type = ... under [network]) extends the key's name
    std::function<void(const std::string&, const toml::table&)> merge =
        [&](const std::string& prefix, const toml::table& entries) {
          for (const auto& [name, value] : entries) {
            const std::string full = prefix + "." + std::string(name.str());
            const ConfigKey* key = schema_->Find(full);
            if (key == nullptr && value.is_table()) {
              merge(full, *value.as_table());
              continue;
            }
            if (key == nullptr)
              throw UserError(fmt::format("{}: unknown key '{}'{}", source, full,
                                          DidYouMean(full, schema_->names())));
            SetValue(full, FromNode(*key, value, source), source);
          }
        };
    merge(std::string(section.str()), *keys);
  }
}

void Config::Set(std::string_view assignment, const std::string& source) {
  const size_t eq = assignment.find('=');
  if (eq == std::string_view::npos || eq == 0)
    throw UserError(fmt::format("{}: '{}' is not key=value", source, assignment));
  std::string name(assignment.substr(0, eq));
  std::string text(assignment.substr(eq + 1));
  while (!name.empty() && name.back() == ' ') name.pop_back();
  const ConfigKey* key = schema_->Find(name);
  if (key == nullptr)
    throw UserError(
        fmt::format("{}: unknown key '{}'{}", source, name, DidYouMean(name, schema_->names())));
  // a value is TOML ("0.5", "[64, 64]", "true"); bare words are strings (network.torso=mlp)
  toml::table parsed;
  try {
    parsed = toml::parse("v = " + text);
  } catch (const toml::parse_error&) {
    parsed = toml::table{{"v", text}};
  }
  if (key->type == Type::kString && !parsed["v"].is_string()) parsed = toml::table{{"v", text}};
  SetValue(name, FromNode(*key, *parsed.get("v"), source), source);
}

void Config::SetValue(const std::string& name, ConfigValue value, const std::string& source) {
  const ConfigKey* key = schema_->Find(name);
  if (key == nullptr)
    throw UserError(
        fmt::format("{}: unknown key '{}'{}", source, name, DidYouMean(name, schema_->names())));
  if (key->type == Type::kFloat && std::holds_alternative<int64_t>(value))
    value = static_cast<double>(std::get<int64_t>(value));
  if (value.index() != key->default_value.index())
    throw UserError(fmt::format("{}: key '{}' must be {}", source, name, key->TypeName()));
  Validate(*key, value, source);
  values_[name] = std::move(value);
  sources_[name] = source;
}

const ConfigValue& Config::Get(const std::string& name, ConfigKey::Type type) const {
  const ConfigKey* key = schema_->Find(name);
  QLAB_CHECK(key != nullptr && key->type == type);  // a programming error: schema and use differ
  return values_.at(name);
}

bool Config::GetBool(const std::string& key) const { return std::get<bool>(Get(key, Type::kBool)); }
int64_t Config::GetInt(const std::string& key) const {
  return std::get<int64_t>(Get(key, Type::kInt));
}
double Config::GetFloat(const std::string& key) const {
  return std::get<double>(Get(key, Type::kFloat));
}
const std::string& Config::GetString(const std::string& key) const {
  return std::get<std::string>(Get(key, Type::kString));
}
const std::vector<int64_t>& Config::GetIntList(const std::string& key) const {
  return std::get<std::vector<int64_t>>(Get(key, Type::kIntList));
}
bool Config::IsDefault(const std::string& key) const { return !sources_.contains(key); }

std::string ConfigValueText(const ConfigValue& value) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool>) {
          return v ? "true" : "false";
        } else if constexpr (std::is_same_v<T, int64_t>) {
          return std::to_string(v);
        } else if constexpr (std::is_same_v<T, double>) {
          std::string text = fmt::format("{}", v);  // shortest text that reads back exactly
          if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
          return text;
        } else if constexpr (std::is_same_v<T, std::string>) {
          std::ostringstream out;
          out << toml::value<std::string>(v);
          return out.str();
        } else {
          return fmt::format("[{}]", fmt::join(v, ", "));
        }
      },
      value);
}

std::string Config::ToToml() const {
  // sections in order of first appearance, each with all its keys (TOML cannot reopen a table)
  std::vector<std::string> sections;
  for (const auto& key : schema_->keys())
    if (std::find(sections.begin(), sections.end(), Section(key.name)) == sections.end())
      sections.push_back(Section(key.name));
  std::string out;
  for (const auto& section : sections) {
    out += fmt::format("{}[{}]\n", out.empty() ? "" : "\n", section);
    for (const auto& key : schema_->keys())
      if (Section(key.name) == section)
        out += fmt::format("# {}\n{} = {}\n", key.doc, key.name.substr(section.size() + 1),
                           ConfigValueText(values_.at(key.name)));
  }
  return out;
}

std::string PeekTomlString(const std::string& path, const std::string& key) {
  const toml::table table = ParseToml(ReadFile(path, "config file"), path);
  const auto node = table.at_path(key);
  if (!node) return "";
  if (auto v = node.value_exact<std::string>()) return *v;
  throw UserError(fmt::format("{}: key '{}' must be a string", path, key));
}

}  // namespace qlab
