#include "qlab/core/params.h"

#include <gtest/gtest.h>

#include "qlab/core/errors.h"
#include "qlab/envs/builtin.h"

namespace qlab {
namespace {

TEST(ParseEnvName, NameAndArguments) {
  ParsedName p = ParseEnvName("minatar/breakout( sticky=0 , ramping=false)");
  EXPECT_EQ(p.name, "minatar/breakout");
  ASSERT_EQ(p.args.size(), 2u);
  EXPECT_EQ(p.args[0], (std::pair<std::string, std::string>{"sticky", "0"}));
  EXPECT_EQ(p.args[1], (std::pair<std::string, std::string>{"ramping", "false"}));
  EXPECT_TRUE(ParseEnvName("classic/cartpole()").args.empty());
}

TEST(ParseEnvName, MalformedNamesAreUserErrors) {
  for (const char* bad : {"", "(sticky=0)", "minatar/breakout(sticky)", "minatar/breakout(sticky=0",
                          "minatar/breakout)", "minatar/breakout(=1)", "a(b=1)(c=2)"})
    EXPECT_THROW(ParseEnvName(bad), UserError) << bad;
}

TEST(Registry, ResolvesDefaultsAndCanonicalizes) {
  EXPECT_EQ(BuiltinEnvs().Canonicalize("minatar/breakout(ramping=0,sticky=0.25)"),
            "minatar/breakout(actions=minimal,max_steps=0,ramping=false,sticky=0.25)");
  EXPECT_EQ(BuiltinEnvs().Canonicalize("classic/cartpole"), "classic/cartpole(max_steps=500)");
}

TEST(Registry, RejectsBadParametersNamingThem) {
  auto message = [](const char* name) {
    try {
      BuiltinEnvs().Canonicalize(name);
    } catch (const UserError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message("minatar/breakout(stiky=0)"),
            "minatar/breakout: unknown parameter 'stiky'; did you mean 'sticky'? (valid: sticky, "
            "ramping, actions, max_steps)");
  EXPECT_NE(message("minatar/breakout(sticky=2)").find("must be a number in [0, 1]"),
            std::string::npos);
  EXPECT_NE(message("minatar/breakout(sticky=abc)").find("must be a number"), std::string::npos);
  EXPECT_NE(message("minatar/breakout(ramping=maybe)").find("true or false"), std::string::npos);
  EXPECT_NE(message("minatar/breakout(actions=all)").find("one of minimal, full"),
            std::string::npos);
  EXPECT_NE(message("minatar/breakout(max_steps=1.5)").find("an integer"), std::string::npos);
  EXPECT_NE(message("minatar/breakout(sticky=0,sticky=1)").find("given twice"), std::string::npos);
  EXPECT_NE(message("minatar/brekout").find("did you mean 'minatar/breakout'"), std::string::npos);
  EXPECT_THROW(BuiltinEnvs().Make("classic/cartpole", {.num_envs = 0}), UserError);
}

TEST(Registry, ParametersReachTheEnv) {
  auto full = BuiltinEnvs().Make("minatar/seaquest(actions=full)", {});
  EXPECT_EQ(full->spec().action_space.n, 6);
  auto minimal = BuiltinEnvs().Make("minatar/breakout", {});
  EXPECT_EQ(minimal->spec().action_space.names,
            (std::vector<std::string>{"noop", "left", "right"}));
  auto chain = BuiltinEnvs().Make("probe/chain(length=6)", {});
  EXPECT_EQ(chain->spec().obs_shape, std::vector<int>{6});
}

}  // namespace
}  // namespace qlab
