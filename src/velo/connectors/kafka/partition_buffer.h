#pragma once

#include <librdkafka/rdkafka.h>

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace velo::kafka {

/// Messages taken from the consumer queue, held per partition so that every batch holds one
/// partition's messages (watermarks are tracked per partition) and batches stay large although
/// librdkafka interleaves partitions in runs of one fetched record batch (a few hundred
/// messages). A partition's messages go out in queue order, events (end of partition, errors)
/// included. Owns the messages it holds. Single-threaded.
class PartitionBuffer {
 public:
  /// `batch_rows`: a partition holding that many is due. `max_age`: a partition whose oldest
  /// message came more than that many messages ago is due, which bounds both how long a quiet
  /// partition waits behind busy ones and how many messages are held; so does `max_bytes`
  /// (keys + values held: the oldest partition is due above it).
  PartitionBuffer(size_t batch_rows, size_t max_age, size_t max_bytes);
  ~PartitionBuffer();
  PartitionBuffer(const PartitionBuffer&) = delete;
  PartitionBuffer& operator=(const PartitionBuffer&) = delete;

  /// Takes ownership of `m` (of partition `partition`, as Batch::partition numbers them).
  void add(int32_t partition, rd_kafka_message_t* m);
  bool empty() const { return held_ == 0; }
  bool holds(int32_t partition) const;
  /// The partition to hand out next: the one waiting longest when it waited more than max_age,
  /// else one holding a full batch, else (when `drained`: nothing more to fetch for now) the one
  /// waiting longest. -1 = none due.
  int32_t pick(bool drained) const;
  /// The oldest message of `partition` (still owned here), or nullptr.
  rd_kafka_message_t* front(int32_t partition);
  /// The message `ahead` places after the oldest of `partition`, or nullptr (for prefetching).
  const rd_kafka_message_t* peek(int32_t partition, size_t ahead);
  /// Destroys the oldest message of `partition`.
  void pop(int32_t partition);
  /// Destroys every message of `partition` (it was revoked).
  void drop(int32_t partition);
  std::vector<int32_t> partitions_held() const;

 private:
  struct Held {
    rd_kafka_message_t* message;
    uint64_t seq;  // order of arrival over all partitions
  };
  struct Queue {
    std::vector<Held> items;
    size_t head = 0;
    size_t size() const { return items.size() - head; }
  };

  /// The queue of `partition`, creating it; the last one is cached (messages come in runs).
  Queue& queue(int32_t partition);

  size_t batch_rows_;
  size_t max_age_;
  size_t max_bytes_;
  uint64_t seq_ = 0;
  size_t held_ = 0;
  size_t held_bytes_ = 0;
  std::unordered_map<int32_t, Queue> queues_;  // nodes: pointers to queues stay valid
  int32_t last_partition_ = -1;
  Queue* last_queue_ = nullptr;
};

}  // namespace velo::kafka
