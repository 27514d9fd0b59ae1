#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace velo {

/// Builds the text of an OutputStream::pending_token(): one flat JSON object of strings,
/// integers and string lists. JSON because the token travels inside checkpoint handles that are
/// JSON lines already, and a person reading a checkpoint can tell what it would publish.
class PendingTokenWriter {
 public:
  PendingTokenWriter& add(std::string_view key, std::string_view value);
  PendingTokenWriter& add(std::string_view key, int64_t value);
  PendingTokenWriter& add(std::string_view key, const std::vector<std::string>& values);
  std::string str() const { return out_ + "}"; }

 private:
  void key(std::string_view k);
  std::string out_ = "{";
};

/// Reads a token PendingTokenWriter built. Missing or mistyped fields throw an internal error
/// naming the token: a token only ever comes from our own checkpoints.
class PendingTokenReader {
 public:
  explicit PendingTokenReader(const std::string& token);
  bool has(const char* key) const;
  std::string string(const char* key) const;
  int64_t integer(const char* key) const;
  std::vector<std::string> strings(const char* key) const;

 private:
  [[noreturn]] void malformed(const char* key) const;
  std::string token_;  // parsed again per field: tokens are a few hundred bytes
};

}  // namespace velo
