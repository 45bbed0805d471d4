// Errors for bad user input (unknown names, malformed values, unreadable files).
//
// Two tiers (DESIGN.md §9): QLAB_CHECK (check.h) guards internal invariants and aborts; UserError
// reports a mistake of the user. It is caught once, in main(), and printed as one line with exit
// code 2, so its message must name the culprit ("unknown env 'minatar/brekout'; did you mean ...").
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace qlab {

class UserError : public std::runtime_error {
 public:
  explicit UserError(const std::string& message) : std::runtime_error(message) {}
};

// The candidates closest to `name` by edit distance (at most `max_results`, only plausible ones),
// for "did you mean" hints.
std::vector<std::string> ClosestNames(std::string_view name,
                                      const std::vector<std::string>& candidates,
                                      int max_results = 3);

// "; did you mean 'a' or 'b'?" or "" when nothing is close.
std::string DidYouMean(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace qlab
