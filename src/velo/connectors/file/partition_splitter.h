#pragma once

#include <cstdint>
#include <vector>

#include "velo/batch/batch.h"

namespace velo {

/// Splits the rows of a batch into groups with equal partition keys (key columns plus an
/// optional per-row time bucket), keeping each group's rows in order as a selection vector.
/// Column-at-a-time hashing and one flat hash table probe per row; buffers are reused between
/// batches, so steady state allocates nothing per row. Single-threaded.
class PartitionSplitter {
 public:
  struct Group {
    uint32_t first_row = 0;      // a representative row (the group's first)
    std::vector<uint32_t> rows;  // every row of the group, ascending
  };

  /// Groups `batch` by `key_columns` and, when `buckets` is not null, `buckets[row]` too.
  void split(const Batch& batch, const std::vector<int>& key_columns, const int64_t* buckets);
  size_t num_groups() const { return num_groups_; }
  const Group& group(size_t i) const { return groups_[i]; }

 private:
  bool same_key(const Batch& batch, const std::vector<int>& key_columns, const int64_t* buckets,
                uint32_t a, uint32_t b) const;

  std::vector<uint64_t> hashes_;
  std::vector<int32_t> slots_;  // group index + 1; 0 = empty
  std::vector<Group> groups_;   // the first num_groups_ are in use (the rest keep capacity)
  size_t num_groups_ = 0;
};

}  // namespace velo
