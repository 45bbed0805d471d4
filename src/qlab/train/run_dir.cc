#include "qlab/train/run_dir.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "qlab/core/errors.h"
#include "qlab/core/files.h"

namespace qlab {

namespace fs = std::filesystem;

namespace {

constexpr const char* kEpisodesHeader =
    "phase,iteration,env_steps,env_index,return,length,terminated,truncated\n";

void AppendRows(std::string& out, const char* phase, int64_t iteration,
                const std::vector<EpisodeRecord>& episodes) {
  for (const auto& e : episodes)
    out += fmt::format("{},{},{},{},{},{},{},{}\n", phase, iteration, e.env_steps, e.env_index,
                       e.ret, e.length, e.terminated, e.truncated);
}

// Keeps the lines for which keep(line) holds; a last line without '\n' (torn) is dropped.
template <class Keep>
void FilterLines(const std::string& path, Keep keep) {
  if (!fs::exists(path)) return;
  std::istringstream in(ReadFile(path));
  std::string kept, line;
  while (std::getline(in, line)) {
    if (in.eof()) break;  // no newline after it: torn by a kill
    if (keep(line)) kept += line + "\n";
  }
  WriteFileAtomic(path, kept);
}

}  // namespace

void RunDir::Create() const {
  std::error_code error;
  if (fs::exists(path_) && !fs::is_empty(path_))
    throw UserError(fmt::format(
        "run dir '{}' exists and is not empty: resume it with --resume, or pick another --out",
        path_));
  fs::create_directories(fs::path(path_) / "checkpoints", error);
  if (error) throw UserError(fmt::format("cannot create run dir '{}': {}", path_, error.message()));
  WriteFileAtomic(File("episodes.csv"), kEpisodesHeader);
  WriteFileAtomic(File("metrics.jsonl"), "");
}

void RunDir::WriteStatus(const std::string& status) const {
  WriteFileAtomic(File("status"), status + "\n");
}

std::string RunDir::ReadStatus() const {
  if (!fs::exists(File("status"))) return "";
  std::string status = ReadFile(File("status"));
  while (!status.empty() && status.back() == '\n') status.pop_back();
  return status;
}

void RunDir::AppendIteration(const nlohmann::ordered_json& metrics, int64_t iteration,
                             const std::vector<EpisodeRecord>& train,
                             const std::vector<EpisodeRecord>& eval) const {
  std::string rows;
  AppendRows(rows, "train", iteration, train);
  AppendRows(rows, "eval", iteration, eval);
  AppendFile(File("episodes.csv"), rows);
  AppendFile(File("metrics.jsonl"), metrics.dump() + "\n");
}

void RunDir::TruncateLogs(int64_t iteration) const {
  FilterLines(File("metrics.jsonl"), [&](const std::string& line) {
    const auto json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    return !json.is_discarded() && json.value("iteration", int64_t{-1}) < iteration;
  });
  bool header = true;
  FilterLines(File("episodes.csv"), [&](const std::string& line) {
    if (std::exchange(header, false)) return true;
    const size_t comma = line.find(',');
    return comma != std::string::npos && std::stoll(line.substr(comma + 1)) < iteration;
  });
}

std::string RunDir::CheckpointPath(int64_t iteration, int64_t step) const {
  return File(fmt::format("checkpoints/ckpt-{:06d}-{:012d}.qlab", iteration, step));
}

std::vector<std::string> RunDir::Checkpoints() const {
  std::vector<std::string> paths;
  const fs::path dir = fs::path(path_) / "checkpoints";
  if (!fs::is_directory(dir)) return paths;
  for (const auto& file : fs::directory_iterator(dir))
    if (file.path().extension() == ".qlab") paths.push_back(file.path().string());
  std::sort(paths.begin(), paths.end());
  return paths;
}

void RunDir::PruneCheckpoints(int keep) const {
  const auto paths = Checkpoints();
  for (size_t i = 0; i + keep < paths.size(); ++i) fs::remove(paths[i]);
}

}  // namespace qlab
