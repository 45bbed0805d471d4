// Small file helpers with the run dir's guarantees (docs/run_dir.md): whole-file writes are atomic
// (temp file, fsync, rename), so a kill or a full disk never leaves a half-written file behind and
// never damages the previous version. Failures are UserErrors naming the path and the reason.
#pragma once

#include <string>
#include <string_view>

namespace qlab {

void WriteFileAtomic(const std::string& path, std::string_view bytes);
// UserError if unreadable: "cannot read 'PATH'", or "cannot read WHAT 'PATH'" with `what`.
std::string ReadFile(const std::string& path, std::string_view what = "");
// Appends and flushes to disk (append-only logs); UserError on failure (disk full).
void AppendFile(const std::string& path, std::string_view bytes);

}  // namespace qlab
