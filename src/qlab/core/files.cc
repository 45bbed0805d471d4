#include "qlab/core/files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "qlab/core/errors.h"

namespace qlab {
namespace {

[[noreturn]] void Fail(const std::string& what, const std::string& path, int error) {
  throw UserError(what + " '" + path + "': " + std::strerror(error));
}

void WriteAll(int fd, std::string_view bytes, const std::string& path) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      Fail("cannot write", path, error);
    }
    done += static_cast<size_t>(n);
  }
}

}  // namespace

void WriteFileAtomic(const std::string& path, std::string_view bytes) {
  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) Fail("cannot write", temp, errno);
  try {
    WriteAll(fd, bytes, temp);
  } catch (...) {
    ::unlink(temp.c_str());
    throw;
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    Fail("cannot write", temp, error);
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    Fail("cannot rename to", path, error);
  }
}

std::string ReadFile(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw UserError("cannot read " + (what.empty() ? "" : std::string(what) + " ") + "'" + path +
                    "'");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void AppendFile(const std::string& path, std::string_view bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) Fail("cannot open", path, errno);
  WriteAll(fd, bytes, path);
  if (::fdatasync(fd) != 0 || ::close(fd) != 0) Fail("cannot write", path, errno);
}

}  // namespace qlab
