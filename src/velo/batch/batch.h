#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "velo/batch/column.h"

namespace velo {

/// The change a row carries (ARCHITECTURE.md §1: every stream is a changelog).
enum class RowKind : uint8_t { kInsert = 0, kUpdateBefore = 1, kUpdateAfter = 2, kDelete = 3 };

/// "+I", "-U", "+U", "-D".
const char* row_kind_symbol(RowKind kind);

/// Default rows per batch produced by sources.
constexpr size_t kDefaultBatchRows = 4096;

/// Event-time watermarks are TIMESTAMP microseconds. kNoWatermark = "no news" on a batch (and
/// "nothing is final yet" as a watermark value); kEndOfTime = the input ended, everything is final.
constexpr int64_t kNoWatermark = INT64_MIN;
constexpr int64_t kEndOfTime = INT64_MAX;

/// A set of rows in columnar form: a schema, one column per field, and a RowKind per row.
/// `row_kinds` empty means every row is an INSERT (the append-only fast path).
struct Batch {
  SchemaPtr schema;
  std::vector<ColumnPtr> columns;
  size_t num_rows = 0;
  std::vector<RowKind> row_kinds;
  /// Streaming only: the event-time watermark after this batch (every later row with an event
  /// time <= watermark is late), or kNoWatermark when it did not move.
  int64_t watermark = kNoWatermark;
  /// Streaming only: a 0-row heartbeat whose sources had nothing more for now. Operators pass
  /// heartbeats up so the driver regains control (checkpoints, timers, test steps).
  bool drained = false;
  /// The source partition all rows came from, or -1 (one partition / not known).
  int32_t partition = -1;
  /// Checkpoints only: a 0-row barrier of checkpoint `barrier` (> 0). Everything before it in
  /// the stream belongs to the checkpoint; operators with several inputs align on it.
  int64_t barrier = 0;

  Batch() = default;
  Batch(SchemaPtr s, std::vector<ColumnPtr> cols, size_t rows)
      : schema(std::move(s)), columns(std::move(cols)), num_rows(rows) {}

  /// An empty batch with fresh, empty columns of `schema`.
  static Batch empty(SchemaPtr schema);
  /// A 0-row batch that only carries the watermark, drained flag and barrier of `from`.
  static Batch heartbeat(SchemaPtr schema, const Batch& from);
  bool is_heartbeat() const { return num_rows == 0; }

  RowKind row_kind(size_t i) const { return row_kinds.empty() ? RowKind::kInsert : row_kinds[i]; }
  bool append_only() const;
  const Column& column(size_t i) const { return *columns[i]; }
  size_t memory_usage() const;
};

using BatchPtr = std::shared_ptr<Batch>;

/// Rows `sel[0..n)` of `src` as a new column (filter, join, sort output).
ColumnPtr gather(const Column& src, const uint32_t* sel, size_t n);
/// Rows of `src` where the selection is taken, all columns and row kinds.
Batch gather(const Batch& src, const uint32_t* sel, size_t n);
/// Rows [offset, offset+length) of `src`.
Batch slice(const Batch& src, size_t offset, size_t length);
/// All rows of `batches` (same schema) as one batch.
Batch concat(const std::vector<Batch>& batches, SchemaPtr schema);

}  // namespace velo
