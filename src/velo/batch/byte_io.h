#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

#include "velo/types/error.h"

namespace velo {

/// Appends fixed-width values and length-prefixed bytes to a string: the encoding of
/// checkpointed operator state. Host byte order (a checkpoint is read back by the same binary
/// on the same kind of machine; the file header records the format version).
class ByteWriter {
 public:
  template <typename T>
  void put(T v) {
    static_assert(std::is_trivially_copyable_v<T>);
    out_.append(reinterpret_cast<const char*>(&v), sizeof(T));
  }
  void put_bytes(const void* p, size_t n) {
    put<uint64_t>(n);
    out_.append(static_cast<const char*>(p), n);
  }
  void put_string(std::string_view s) { put_bytes(s.data(), s.size()); }
  std::string& str() { return out_; }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

/// Reads what ByteWriter wrote; every read is bounds-checked so a truncated or corrupt
/// checkpoint fails with an error naming `what` instead of reading past the end.
class ByteReader {
 public:
  ByteReader(std::string_view data, std::string what) : data_(data), what_(std::move(what)) {}
  template <typename T>
  T get() {
    static_assert(std::is_trivially_copyable_v<T>);
    need(sizeof(T));
    T v;
    std::memcpy(&v, data_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  std::string_view get_bytes() {
    uint64_t n = get<uint64_t>();
    need(n);
    std::string_view s = data_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  std::string get_string() { return std::string(get_bytes()); }
  bool at_end() const { return pos_ == data_.size(); }
  /// A count that must fit in what is left (each element takes at least `min_bytes`).
  uint64_t get_count(size_t min_bytes = 1) {
    uint64_t n = get<uint64_t>();
    if (min_bytes > 0 && n > (data_.size() - pos_) / min_bytes) corrupt();
    return n;
  }
  [[noreturn]] void corrupt() const {
    throw_format_error("{} is corrupt or truncated (at byte {} of {})", what_, pos_, data_.size());
  }

 private:
  void need(uint64_t n) const {
    if (n > data_.size() - pos_) corrupt();
  }
  std::string_view data_;
  size_t pos_ = 0;
  std::string what_;
};

}  // namespace velo
