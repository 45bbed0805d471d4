#include "qlab/core/archive.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

#include "qlab/core/files.h"
#include "qlab/core/rng.h"

namespace qlab {
namespace {

TEST(Archive, RoundTripsValuesVectorsAndBytes) {
  Archive archive;
  Rng rng(7);
  rng.NextU64();
  archive.Put("rng", rng);
  archive.Put("steps", int64_t{123456789});
  archive.PutVector("floats", std::vector<float>{1.5f, -2.0f, 3.25f});
  archive.PutBytes("blob", std::string("\0\1\2", 3));
  const Archive back = Archive::Deserialize(archive.Serialize(), "mem");
  EXPECT_EQ(back.Get<Rng>("rng"), rng);
  EXPECT_EQ(back.Get<int64_t>("steps"), 123456789);
  std::vector<float> floats(3);
  back.GetVector("floats", floats);
  EXPECT_EQ(floats, (std::vector<float>{1.5f, -2.0f, 3.25f}));
  EXPECT_EQ(back.GetBytes("blob"), std::string("\0\1\2", 3));
}

TEST(Archive, DetectsCorruptionTruncationAndMissingEntries) {
  Archive archive;
  archive.PutVector("data", std::vector<int32_t>(1000, 7));
  const std::string bytes = archive.Serialize();
  std::string flipped = bytes;
  flipped[bytes.size() / 2] ^= 0x10;
  EXPECT_THROW(Archive::Deserialize(flipped, "x"), UserError);
  EXPECT_THROW(Archive::Deserialize(bytes.substr(0, bytes.size() - 9), "x"), UserError);
  EXPECT_THROW(Archive::Deserialize("not a checkpoint at all", "x"), UserError);
  const Archive back = Archive::Deserialize(bytes, "x");
  EXPECT_THROW(back.GetBytes("missing"), UserError);
  std::vector<int32_t> wrong_size(10);
  EXPECT_THROW(back.GetVector("data", wrong_size), UserError);
  try {
    Archive::Deserialize(flipped, "ckpt.qlab");
  } catch (const UserError& e) {
    EXPECT_STREQ(e.what(),
                 "corrupt checkpoint 'ckpt.qlab': checksum mismatch (truncated or damaged)");
  }
}

TEST(Archive, SavesAtomically) {
  const std::string dir = ::testing::TempDir() + "/archive_test";
  std::filesystem::create_directories(dir);
  Archive archive;
  archive.Put("x", 42);
  archive.Save(dir + "/a.qlab");
  EXPECT_EQ(Archive::Load(dir + "/a.qlab").Get<int>("x"), 42);
  EXPECT_FALSE(std::filesystem::exists(dir + "/a.qlab.tmp"));
  // a write that cannot happen leaves the old file intact
  EXPECT_THROW(WriteFileAtomic(dir + "/no/such/dir/a.qlab", "x"), UserError);
  EXPECT_EQ(Archive::Load(dir + "/a.qlab").Get<int>("x"), 42);
}

}  // namespace
}  // namespace qlab
