// Archive: the checkpoint container. Named binary blobs ("agent/online_net", "replay/obs", ...)
// written as one file with a magic, a format version and a 64-bit checksum over the content, so
// a truncated or corrupted checkpoint is detected on load (UserError naming the file) instead of
// silently resuming from garbage. Plain-data values and vectors go in with Put/Get; libtorch
// modules serialise themselves into a blob (agents do this).
#pragma once

#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "qlab/core/errors.h"

namespace qlab {

class Archive {
 public:
  void PutBytes(const std::string& name, std::string bytes) { blobs_[name] = std::move(bytes); }
  const std::string& GetBytes(const std::string& name) const;  // UserError if missing
  bool Has(const std::string& name) const { return blobs_.contains(name); }

  template <class T>
  void Put(const std::string& name, const T& value) {
    static_assert(std::is_trivially_copyable_v<T>);
    PutBytes(name, std::string(reinterpret_cast<const char*>(&value), sizeof(T)));
  }
  template <class T>
  T Get(const std::string& name) const {
    static_assert(std::is_trivially_copyable_v<T>);
    const std::string& bytes = GetSized(name, sizeof(T), 1);
    T value;
    std::memcpy(static_cast<void*>(&value), bytes.data(), sizeof(T));
    return value;
  }
  template <class T>
  void PutVector(const std::string& name, const T* data, size_t count) {
    static_assert(std::is_trivially_copyable_v<T>);
    if (count == 0) return PutBytes(name, std::string());  // data may be null
    PutBytes(name, std::string(reinterpret_cast<const char*>(data), count * sizeof(T)));
  }
  template <class Vector>
  void PutVector(const std::string& name, const Vector& items) {
    PutVector(name, items.data(), items.size());
  }
  // Reads exactly `count` items into `data` (UserError if the sizes differ).
  template <class T>
  void GetVector(const std::string& name, T* data, size_t count) const {
    static_assert(std::is_trivially_copyable_v<T>);
    const std::string& bytes = GetSized(name, sizeof(T), count);
    if (!bytes.empty()) std::memcpy(static_cast<void*>(data), bytes.data(), bytes.size());
  }
  template <class Vector>
  void GetVector(const std::string& name, Vector& items) const {
    GetVector(name, items.data(), items.size());
  }

  std::string Serialize() const;
  static Archive Deserialize(std::string_view bytes, const std::string& source);
  void Save(const std::string& path) const;  // atomic
  static Archive Load(const std::string& path);

 private:
  const std::string& GetSized(const std::string& name, size_t item_size, size_t count) const;
  std::map<std::string, std::string> blobs_;
  std::string source_ = "archive";
};

uint64_t Fnv1a64(std::string_view bytes);

}  // namespace qlab
