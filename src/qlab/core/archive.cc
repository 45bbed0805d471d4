#include "qlab/core/archive.h"

#include <fmt/format.h>

#include "qlab/core/files.h"

namespace qlab {
namespace {

constexpr char kMagic[8] = {'Q', 'L', 'A', 'B', 'C', 'K', 'P', 'T'};
constexpr uint32_t kFormatVersion = 1;

template <class T>
void AppendPod(std::string& out, T value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof(T));
}

}  // namespace

uint64_t Fnv1a64(std::string_view bytes) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) hash = (hash ^ c) * 0x100000001b3ULL;
  return hash;
}

const std::string& Archive::GetBytes(const std::string& name) const {
  auto it = blobs_.find(name);
  if (it == blobs_.end())
    throw UserError(fmt::format("checkpoint '{}' lacks '{}' (written by another agent or version?)",
                                source_, name));
  return it->second;
}

const std::string& Archive::GetSized(const std::string& name, size_t item_size,
                                     size_t count) const {
  const std::string& bytes = GetBytes(name);
  if (bytes.size() != item_size * count)
    throw UserError(fmt::format("checkpoint '{}': '{}' has {} bytes, expected {} (other config?)",
                                source_, name, bytes.size(), item_size * count));
  return bytes;
}

std::string Archive::Serialize() const {
  std::string out(kMagic, sizeof(kMagic));
  AppendPod(out, kFormatVersion);
  AppendPod(out, static_cast<uint64_t>(blobs_.size()));
  for (const auto& [name, bytes] : blobs_) {
    AppendPod(out, static_cast<uint32_t>(name.size()));
    out += name;
    AppendPod(out, static_cast<uint64_t>(bytes.size()));
    out += bytes;
  }
  AppendPod(out, Fnv1a64(out));
  return out;
}

Archive Archive::Deserialize(std::string_view bytes, const std::string& source) {
  auto corrupt = [&](const std::string& why) {
    return UserError(fmt::format("corrupt checkpoint '{}': {}", source, why));
  };
  if (bytes.size() < sizeof(kMagic) + 4 + 8 + 8 ||
      std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0)
    throw corrupt("not a qlab checkpoint");
  uint64_t stored_hash;
  std::memcpy(&stored_hash, bytes.data() + bytes.size() - 8, 8);
  const std::string_view body = bytes.substr(0, bytes.size() - 8);
  if (Fnv1a64(body) != stored_hash) throw corrupt("checksum mismatch (truncated or damaged)");
  size_t at = sizeof(kMagic);
  auto read = [&](void* out, size_t n) {
    if (at + n > body.size()) throw corrupt("truncated");
    std::memcpy(out, body.data() + at, n);
    at += n;
  };
  uint32_t version;
  read(&version, 4);
  if (version != kFormatVersion)
    throw corrupt(fmt::format("format version {} (this qlab reads {})", version, kFormatVersion));
  uint64_t count;
  read(&count, 8);
  Archive archive;
  archive.source_ = source;
  for (uint64_t i = 0; i < count; ++i) {
    uint32_t name_size;
    read(&name_size, 4);
    if (at + name_size > body.size()) throw corrupt("truncated");
    std::string name(body.substr(at, name_size));
    at += name_size;
    uint64_t size;
    read(&size, 8);
    if (size > body.size() - at) throw corrupt("truncated");
    archive.blobs_[name] = std::string(body.substr(at, size));
    at += size;
  }
  if (at != body.size()) throw corrupt("trailing bytes");
  return archive;
}

void Archive::Save(const std::string& path) const { WriteFileAtomic(path, Serialize()); }

Archive Archive::Load(const std::string& path) { return Deserialize(ReadFile(path), path); }

}  // namespace qlab
