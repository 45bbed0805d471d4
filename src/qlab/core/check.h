// QLAB_CHECK: always-on invariant checks for programming errors (never for user input: that is
// UserError). On failure prints the expression, both operand values where given, and aborts.
//   QLAB_CHECK(n > 0);
//   QLAB_CHECK_EQ(obs.size(), spec.obs_size());
#pragma once

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

namespace qlab::internal {

[[noreturn]] inline void CheckFailed(const char* file, int line, const char* expression,
                                     const std::string& values) {
  std::fprintf(stderr, "%s:%d: QLAB_CHECK failed: %s%s\n", file, line, expression, values.c_str());
  std::abort();
}

template <class A, class B>
std::string FormatOperands(const A& a, const B& b) {
  std::ostringstream out;
  out << " (" << a << " vs " << b << ")";
  return out.str();
}

}  // namespace qlab::internal

#define QLAB_CHECK(condition)                                                       \
  do {                                                                              \
    if (!(condition)) [[unlikely]]                                                  \
      ::qlab::internal::CheckFailed(__FILE__, __LINE__, #condition, std::string()); \
  } while (false)

#define QLAB_CHECK_OP(a, op, b)                                                          \
  do {                                                                                   \
    const auto& qlab_a_ = (a);                                                           \
    const auto& qlab_b_ = (b);                                                           \
    if (!(qlab_a_ op qlab_b_)) [[unlikely]]                                              \
      ::qlab::internal::CheckFailed(__FILE__, __LINE__, #a " " #op " " #b,               \
                                    ::qlab::internal::FormatOperands(qlab_a_, qlab_b_)); \
  } while (false)

#define QLAB_CHECK_EQ(a, b) QLAB_CHECK_OP(a, ==, b)
#define QLAB_CHECK_LT(a, b) QLAB_CHECK_OP(a, <, b)
#define QLAB_CHECK_LE(a, b) QLAB_CHECK_OP(a, <=, b)
#define QLAB_CHECK_GE(a, b) QLAB_CHECK_OP(a, >=, b)
#define QLAB_CHECK_GT(a, b) QLAB_CHECK_OP(a, >, b)
#define QLAB_CHECK_NE(a, b) QLAB_CHECK_OP(a, !=, b)
