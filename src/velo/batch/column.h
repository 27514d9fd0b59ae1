#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "velo/batch/buffer.h"
#include "velo/batch/byte_io.h"
#include "velo/types/data_type.h"
#include "velo/types/value.h"

namespace velo {

class Column;
using ColumnPtr = std::shared_ptr<Column>;

/// One column of a batch, in an Arrow-compatible layout:
///   validity  bitmap, bit i = 1 when row i is valid; empty bitmap = no nulls
///   values    fixed-width values (BOOLEAN as one byte 0/1, INT32/DATE int32, INT64/TIMESTAMP
///             int64, DOUBLE, DECIMAL int128, INTERVAL Interval)
///   offsets   int32, size()+1 entries, for STRING/BYTES (into heap) and LIST/MAP (into child 0)
///   heap      bytes of STRING/BYTES
///   children  STRUCT fields; LIST element; MAP entries (STRUCT<key, value>)
/// A column is built once (append_* or resize + fill) and then shared read-only between batches
/// through ColumnPtr. Null slots of fixed-width columns hold unspecified (but initialized) values.
class Column {
 public:
  explicit Column(DataType type);
  static ColumnPtr make(DataType type) { return std::make_shared<Column>(std::move(type)); }
  /// A column of `n` copies of `v` (NULL included).
  static ColumnPtr constant(const Value& v, size_t n);

  const DataType& type() const { return type_; }
  size_t size() const { return size_; }

  // ---- validity -------------------------------------------------------------------------
  bool is_null(size_t i) const {
    return !validity_.empty() && !((validity_.as<uint64_t>()[i >> 6] >> (i & 63)) & 1);
  }
  bool is_valid(size_t i) const { return !is_null(i); }
  bool has_validity() const { return !validity_.empty(); }
  size_t null_count() const;
  /// Bitmap words, or nullptr when the column has no nulls.
  const uint64_t* validity_words() const {
    return validity_.empty() ? nullptr : validity_.as<uint64_t>();
  }
  /// Materializes the bitmap (all valid) so the caller can clear bits.
  uint64_t* mutable_validity();
  void set_null(size_t i) { mutable_validity()[i >> 6] &= ~(uint64_t{1} << (i & 63)); }
  void set_valid(size_t i) {
    if (!validity_.empty()) validity_.as<uint64_t>()[i >> 6] |= uint64_t{1} << (i & 63);
  }
  void drop_validity() { validity_.clear(); }

  // ---- fixed-width values -----------------------------------------------------------------
  template <typename T>
  T* values() {
    return values_.as<T>();
  }
  template <typename T>
  const T* values() const {
    return values_.as<T>();
  }
  template <typename T>
  T value(size_t i) const {
    return values_.as<T>()[i];
  }

  // ---- var-width and nested -----------------------------------------------------------------
  const int32_t* offsets() const { return offsets_.as<int32_t>(); }
  int32_t* mutable_offsets() { return offsets_.as<int32_t>(); }
  std::string_view string_at(size_t i) const {
    const int32_t* o = offsets_.as<int32_t>();
    return std::string_view(reinterpret_cast<const char*>(heap_.data()) + o[i], o[i + 1] - o[i]);
  }
  Buffer& heap() { return heap_; }
  const Buffer& heap() const { return heap_; }
  Column& child(size_t i) { return *children_[i]; }
  const Column& child(size_t i) const { return *children_[i]; }
  const ColumnPtr& child_ptr(size_t i) const { return children_[i]; }
  std::vector<ColumnPtr>& children() { return children_; }
  size_t num_children() const { return children_.size(); }

  // ---- building -----------------------------------------------------------------------------
  void reserve(size_t n);
  /// Sets the row count. Fixed-width: new values uninitialized, new rows valid. STRING/BYTES and
  /// LIST/MAP: the offsets buffer is sized (size()+1 entries) and must be filled by the caller.
  /// STRUCT: only this level's count; children are the caller's business.
  void resize(size_t n);
  void clear();
  /// Drops rows [rows, size()) — the rollback of a record that failed half-way through decoding.
  /// Children are cut too even when this level has nothing to drop: a row that failed inside a
  /// nested value leaves values in the children of a parent that never counted it.
  void truncate(size_t rows);

  void append_null();
  template <typename T>
  void append(T v) {
    values_.push(v);
    if (!validity_.empty()) grow_validity(size_ + 1, true);
    ++size_;
  }
  void append_string(std::string_view s) {
    heap_.append(s.data(), s.size());
    offsets_.push(static_cast<int32_t>(heap_.size()));
    if (!validity_.empty()) grow_validity(size_ + 1, true);
    ++size_;
  }
  /// LIST/MAP: closes a list whose elements were already appended to child(0).
  void append_list_end();
  /// STRUCT: counts one more row whose fields were already appended to every child.
  void append_struct_row();
  /// Appends any value (slow path, converts numeric types where lossless).
  void append_value(const Value& v);
  /// Appends row `i` of `other` (same type). Slow path for nested types.
  void append_from(const Column& other, size_t i);

  /// Row `i` as a Value (slow path).
  Value value_at(size_t i) const;

  /// Bytes held, for memory accounting and progress.
  size_t memory_usage() const;

  /// The column's buffers, children included, for checkpointed state (byte_io.h).
  void serialize(ByteWriter& out) const;
  /// A column of `type` as serialize() wrote it.
  static ColumnPtr deserialize(const DataType& type, ByteReader& in);

 private:
  void grow_validity(size_t n, bool valid);

  DataType type_;
  size_t size_ = 0;
  Buffer validity_;
  Buffer values_;
  Buffer offsets_;
  Buffer heap_;
  std::vector<ColumnPtr> children_;
};

}  // namespace velo
