#pragma once

#include <cstdint>

#include "velo/batch/batch.h"

// The Arrow C Data Interface (https://arrow.apache.org/docs/format/CDataInterface.html): two
// plain C structs any Arrow implementation (DuckDB, Polars, pyarrow, Arrow C++/Rust) can consume
// without linking a common library. The definitions below are the ABI fixed by that spec.
#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4

struct ArrowSchema {
  const char* format;
  const char* name;
  const char* metadata;
  int64_t flags;
  int64_t n_children;
  struct ArrowSchema** children;
  struct ArrowSchema* dictionary;
  void (*release)(struct ArrowSchema*);
  void* private_data;
};

struct ArrowArray {
  int64_t length;
  int64_t null_count;
  int64_t offset;
  int64_t n_buffers;
  int64_t n_children;
  const void** buffers;
  struct ArrowArray** children;
  struct ArrowArray* dictionary;
  void (*release)(struct ArrowArray*);
  void* private_data;
};

#endif  // ARROW_C_DATA_INTERFACE

namespace velo {

/// Type mapping (velostream -> Arrow format string):
///   BOOLEAN b, INT32 i, INT64 l, DOUBLE g, DECIMAL(p,s) d:p,s (128-bit), STRING u, BYTES z,
///   DATE tdD, TIMESTAMP tsu:UTC, INTERVAL tin (month_day_nano), STRUCT +s, LIST +l, MAP +m.
/// Fixed-width values, offsets, string bytes and validity bitmaps are shared without copying:
/// the exported array keeps the columns alive until the consumer calls release(). BOOLEAN
/// (bytes here, bits in Arrow) and INTERVAL (micros here, nanos in Arrow) are converted.

/// Exports `column` as an Arrow array and its type as an Arrow schema field named `name`.
/// Both structs must be released by the consumer (their release callbacks free everything).
void export_column(const ColumnPtr& column, const std::string& name, ArrowArray* array,
                   ArrowSchema* schema);

/// Exports `batch` as a struct array (one child per column, Arrow's record-batch convention).
/// Changelog batches get a leading `_op` STRING column ("+I", "-U", "+U", "-D") because Arrow
/// has no row kinds.
void export_batch(const Batch& batch, ArrowArray* array, ArrowSchema* schema);

/// The velostream type of an Arrow schema field; throws "not supported yet: Arrow type ..." for
/// formats without a velostream counterpart.
DataType import_type(const ArrowSchema& schema);

/// Copies an Arrow array of type `schema` into a new column (honours offset, null_count = -1,
/// missing validity buffers). Does not release the inputs.
ColumnPtr import_column(const ArrowArray& array, const ArrowSchema& schema);

/// Imports a struct array (a record batch) as a Batch. Does not release the inputs.
Batch import_batch(const ArrowArray& array, const ArrowSchema& schema);

}  // namespace velo
