#include "velo/connectors/kafka/partition_buffer.h"

namespace velo::kafka {

namespace {
size_t bytes_of(const rd_kafka_message_t* m) { return m->len + m->key_len; }
}  // namespace

PartitionBuffer::PartitionBuffer(size_t batch_rows, size_t max_age, size_t max_bytes)
    : batch_rows_(batch_rows), max_age_(max_age), max_bytes_(max_bytes) {}

PartitionBuffer::~PartitionBuffer() {
  for (auto& [id, q] : queues_)
    for (size_t i = q.head; i < q.items.size(); ++i) rd_kafka_message_destroy(q.items[i].message);
}

PartitionBuffer::Queue& PartitionBuffer::queue(int32_t partition) {
  if (partition != last_partition_ || !last_queue_) {
    last_queue_ = &queues_[partition];
    last_partition_ = partition;
  }
  return *last_queue_;
}

void PartitionBuffer::add(int32_t partition, rd_kafka_message_t* m) {
  queue(partition).items.push_back({m, seq_++});
  ++held_;
  held_bytes_ += bytes_of(m);
}

bool PartitionBuffer::holds(int32_t partition) const {
  auto it = queues_.find(partition);
  return it != queues_.end() && it->second.size() > 0;
}

int32_t PartitionBuffer::pick(bool drained) const {
  int32_t oldest = -1, full = -1;
  uint64_t oldest_seq = UINT64_MAX;
  for (const auto& [id, q] : queues_) {
    if (q.size() == 0) continue;
    if (q.items[q.head].seq < oldest_seq) {
      oldest_seq = q.items[q.head].seq;
      oldest = id;
    }
    if (full < 0 && q.size() >= batch_rows_) full = id;
  }
  if (oldest >= 0 && (seq_ - oldest_seq > max_age_ || held_bytes_ > max_bytes_)) return oldest;
  if (full >= 0) return full;
  return drained ? oldest : -1;
}

rd_kafka_message_t* PartitionBuffer::front(int32_t partition) {
  Queue& q = queue(partition);
  return q.size() == 0 ? nullptr : q.items[q.head].message;
}

const rd_kafka_message_t* PartitionBuffer::peek(int32_t partition, size_t ahead) {
  Queue& q = queue(partition);
  return ahead < q.size() ? q.items[q.head + ahead].message : nullptr;
}

void PartitionBuffer::pop(int32_t partition) {
  Queue& q = queue(partition);
  if (q.size() == 0) return;
  rd_kafka_message_t* m = q.items[q.head++].message;
  held_bytes_ -= bytes_of(m);
  rd_kafka_message_destroy(m);
  --held_;
  if (q.head == q.items.size()) {  // keep the capacity, drop the consumed prefix
    q.items.clear();
    q.head = 0;
  } else if (q.head >= 4096 && 2 * q.head >= q.items.size()) {  // a queue that never empties
    q.items.erase(q.items.begin(), q.items.begin() + static_cast<std::ptrdiff_t>(q.head));
    q.head = 0;
  }
}

void PartitionBuffer::drop(int32_t partition) {
  while (front(partition)) pop(partition);
}

std::vector<int32_t> PartitionBuffer::partitions_held() const {
  std::vector<int32_t> out;
  for (const auto& [id, q] : queues_)
    if (q.size() > 0) out.push_back(id);
  return out;
}

}  // namespace velo::kafka
