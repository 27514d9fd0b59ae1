#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

namespace velo {

/// A growable byte buffer that does not zero what it grows into (unlike std::vector), so
/// builders can resize and then fill. Move-only; share through the owning Column.
class Buffer {
 public:
  Buffer() = default;
  Buffer(Buffer&&) noexcept = default;
  Buffer& operator=(Buffer&&) noexcept = default;
  Buffer(const Buffer& other) { append(other.data(), other.size()); }
  Buffer& operator=(const Buffer& other) {
    if (this != &other) { clear(); append(other.data(), other.size()); }
    return *this;
  }

  uint8_t* data() { return data_.get(); }
  const uint8_t* data() const { return data_.get(); }
  template <typename T> T* as() { return reinterpret_cast<T*>(data_.get()); }
  template <typename T> const T* as() const { return reinterpret_cast<const T*>(data_.get()); }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  bool empty() const { return size_ == 0; }

  void reserve(size_t n) {
    if (n <= capacity_) return;
    size_t cap = capacity_ ? capacity_ : 64;
    while (cap < n) cap *= 2;
    auto fresh = std::make_unique_for_overwrite<uint8_t[]>(cap);
    if (size_) std::memcpy(fresh.get(), data_.get(), size_);
    data_ = std::move(fresh);
    capacity_ = cap;
  }
  /// New bytes are uninitialized.
  void resize(size_t n) {
    reserve(n);
    size_ = n;
  }
  void append(const void* p, size_t n) {
    if (n == 0) return;
    reserve(size_ + n);
    std::memcpy(data_.get() + size_, p, n);
    size_ += n;
  }
  template <typename T> void push(const T& v) { append(&v, sizeof(T)); }
  void clear() { size_ = 0; }

 private:
  std::unique_ptr<uint8_t[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace velo
