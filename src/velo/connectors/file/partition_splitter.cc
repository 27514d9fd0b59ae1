#include "velo/connectors/file/partition_splitter.h"

#include <cstring>
#include <string_view>

namespace velo {

namespace {

uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h * 0xff51afd7ed558ccdULL;
}

uint64_t hash_bytes(std::string_view s) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

size_t value_width(TypeId id) {
  switch (id) {
    case TypeId::kBoolean:
      return 1;
    case TypeId::kInt32:
    case TypeId::kDate:
      return 4;
    case TypeId::kInt64:
    case TypeId::kTimestamp:
    case TypeId::kDouble:
      return 8;
    case TypeId::kDecimal:
      return 16;
    case TypeId::kInterval:
      return sizeof(Interval);
    default:
      return 0;
  }
}

// Folds column `c` into every row's hash (NULLs hash alike, whatever their slot holds).
void hash_column(const Column& c, size_t n, uint64_t* hashes) {
  TypeId id = c.type().id();
  if (id == TypeId::kString || id == TypeId::kBytes) {
    for (size_t r = 0; r < n; ++r)
      hashes[r] = mix(hashes[r], c.is_null(r) ? 0x5bd1e995ULL : hash_bytes(c.string_at(r)));
    return;
  }
  size_t width = value_width(id);
  const auto* bytes = c.values<uint8_t>();
  for (size_t r = 0; r < n; ++r) {
    uint64_t v = 0x5bd1e995ULL;
    if (!c.is_null(r))
      v = hash_bytes(std::string_view(reinterpret_cast<const char*>(bytes + r * width), width));
    hashes[r] = mix(hashes[r], v);
  }
}

bool same_value(const Column& c, uint32_t a, uint32_t b) {
  bool na = c.is_null(a), nb = c.is_null(b);
  if (na || nb) return na == nb;
  TypeId id = c.type().id();
  if (id == TypeId::kString || id == TypeId::kBytes) return c.string_at(a) == c.string_at(b);
  size_t width = value_width(id);
  const auto* bytes = c.values<uint8_t>();
  return std::memcmp(bytes + a * width, bytes + b * width, width) == 0;
}

}  // namespace

bool PartitionSplitter::same_key(const Batch& batch, const std::vector<int>& key_columns,
                                 const int64_t* buckets, uint32_t a, uint32_t b) const {
  if (buckets != nullptr && buckets[a] != buckets[b]) return false;
  for (int k : key_columns)
    if (!same_value(*batch.columns[k], a, b)) return false;
  return true;
}

void PartitionSplitter::split(const Batch& batch, const std::vector<int>& key_columns,
                              const int64_t* buckets) {
  for (size_t g = 0; g < num_groups_; ++g) groups_[g].rows.clear();
  num_groups_ = 0;
  const size_t n = batch.num_rows;
  if (n == 0) return;
  hashes_.assign(n, 0);
  for (int k : key_columns) hash_column(*batch.columns[k], n, hashes_.data());
  if (buckets != nullptr)
    for (size_t r = 0; r < n; ++r) hashes_[r] = mix(hashes_[r], static_cast<uint64_t>(buckets[r]));

  size_t capacity = 64;
  slots_.assign(capacity, 0);
  auto grow = [&] {
    capacity *= 2;
    slots_.assign(capacity, 0);
    for (size_t g = 0; g < num_groups_; ++g) {
      size_t s = hashes_[groups_[g].first_row] & (capacity - 1);
      while (slots_[s] != 0) s = (s + 1) & (capacity - 1);
      slots_[s] = static_cast<int32_t>(g + 1);
    }
  };
  for (uint32_t r = 0; r < n; ++r) {
    size_t s = hashes_[r] & (capacity - 1);
    for (;;) {
      int32_t slot = slots_[s];
      if (slot == 0) {
        if (groups_.size() <= num_groups_) groups_.emplace_back();
        Group& g = groups_[num_groups_++];
        g.first_row = r;
        g.rows.push_back(r);
        slots_[s] = static_cast<int32_t>(num_groups_);
        if (num_groups_ * 2 > capacity) grow();
        break;
      }
      Group& g = groups_[slot - 1];
      if (hashes_[g.first_row] == hashes_[r] &&
          same_key(batch, key_columns, buckets, g.first_row, r)) {
        g.rows.push_back(r);
        break;
      }
      s = (s + 1) & (capacity - 1);
    }
  }
}

}  // namespace velo
