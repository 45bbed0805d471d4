// RunDir: the files of one run (docs/run_dir.md). Whole files are written atomically; the two
// logs are appended per finished iteration and cut back to a checkpoint's iteration on resume.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace qlab {

struct EpisodeRecord {
  int64_t env_steps = 0;  // training env steps when the episode ended (eval: at the evaluation)
  double ret = 0.0;
  int32_t env_index = 0;
  int32_t length = 0;
  uint8_t terminated = 0, truncated = 0;
};

class RunDir {
 public:
  explicit RunDir(std::string path) : path_(std::move(path)) {}
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

  // A fresh run: the dir must be absent or empty (UserError otherwise: it would mix two runs).
  void Create() const;
  void WriteStatus(const std::string& status) const;
  std::string ReadStatus() const;

  void AppendIteration(const nlohmann::ordered_json& metrics, int64_t iteration,
                       const std::vector<EpisodeRecord>& train,
                       const std::vector<EpisodeRecord>& eval) const;
  // Drops log lines of iterations >= `iteration` (and a torn last line).
  void TruncateLogs(int64_t iteration) const;

  std::string CheckpointPath(int64_t iteration, int64_t step) const;
  std::vector<std::string> Checkpoints() const;  // oldest first
  void PruneCheckpoints(int keep) const;

 private:
  std::string path_;
};

}  // namespace qlab
