#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace velo {

/// A piece of a file source's work, named the same way in every run: the file and the byte
/// offset its range starts at (0 for whole files).
struct FileUnitKey {
  std::string path;
  int64_t begin = 0;
  /// "begin@path": a set/map key.
  std::string id() const { return std::to_string(begin) + "@" + path; }
};

/// What SourceReader::position() of the file source returns: the units the reader finished and
/// the one it is in, with the rows it returned from it (resuming skips that many rows). Encoded
/// as JSON: {"done":[["path",begin],...],"current":["path",begin,rows]} ("current" absent
/// between units).
struct FileReaderPosition {
  std::vector<FileUnitKey> done;
  bool in_unit = false;
  FileUnitKey current;
  int64_t rows = 0;

  std::string encode() const;
  /// Throws a user error for a position this source did not write.
  static FileReaderPosition decode(const std::string& text);
};

}  // namespace velo
