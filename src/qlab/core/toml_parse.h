// TOML parsing with qlab's error convention: a malformed file is a UserError naming the file,
// line and column ("spec.toml:3:7: malformed TOML: ...").
#pragma once

#include <toml++/toml.h>
#include <string>
#include <string_view>

namespace qlab {

toml::table ParseToml(std::string_view text, const std::string& source);

}  // namespace qlab
