#include "velo/exec/hash.h"

#include <cstring>
#include <vector>

#include "velo/exec/operators/basic_operators.h"

namespace velo {

namespace {
constexpr uint64_t kNullHash = 0x9E3779B97F4A7C15ULL;

inline uint64_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

inline uint64_t hash_bytes(const char* p, size_t n) {
  // FNV-1a over 8-byte words, then a final mix: fast for short keys such as station names.
  uint64_t h = 0xcbf29ce484222325ULL ^ n;
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * 0x100000001b3ULL;
    h ^= h >> 29;
    p += 8;
    n -= 8;
  }
  if (n) {
    uint64_t w = 0;
    std::memcpy(&w, p, n);
    h = (h ^ w) * 0x100000001b3ULL;
  }
  return mix(h);
}

inline void put(uint64_t* hashes, size_t i, uint64_t h, bool combine) {
  hashes[i] = combine ? mix(hashes[i] * 31 + h) : h;
}

template <typename T>
void hash_fixed(const Column& c, size_t rows, uint64_t* hashes, bool combine) {
  const T* v = c.values<T>();
  for (size_t i = 0; i < rows; ++i) {
    uint64_t bits = 0;
    std::memcpy(&bits, &v[i], sizeof(T) < 8 ? sizeof(T) : 8);
    uint64_t h = mix(bits);
    if constexpr (sizeof(T) > 8) {
      uint64_t hi;
      std::memcpy(&hi, reinterpret_cast<const char*>(&v[i]) + 8, 8);
      h = mix(h ^ hi);
    }
    put(hashes, i, h, combine);
  }
}
}  // namespace

void hash_column(const Column& c, size_t rows, uint64_t* hashes, bool combine) {
  switch (c.type().id()) {
    case TypeId::kBoolean: hash_fixed<uint8_t>(c, rows, hashes, combine); break;
    case TypeId::kInt32:
    case TypeId::kDate: hash_fixed<int32_t>(c, rows, hashes, combine); break;
    case TypeId::kInt64:
    case TypeId::kTimestamp: hash_fixed<int64_t>(c, rows, hashes, combine); break;
    case TypeId::kDouble: {
      // +0.0 and -0.0 must group together.
      const double* v = c.values<double>();
      for (size_t i = 0; i < rows; ++i) {
        double d = v[i] == 0 ? 0.0 : v[i];
        uint64_t bits;
        std::memcpy(&bits, &d, 8);
        put(hashes, i, mix(bits), combine);
      }
      break;
    }
    case TypeId::kDecimal:
    case TypeId::kInterval: hash_fixed<int128_t>(c, rows, hashes, combine); break;
    case TypeId::kString:
    case TypeId::kBytes: {
      const int32_t* o = c.offsets();
      const char* heap = reinterpret_cast<const char*>(c.heap().data());
      for (size_t i = 0; i < rows; ++i) put(hashes, i, hash_bytes(heap + o[i], o[i + 1] - o[i]), combine);
      break;
    }
    case TypeId::kNull:
      for (size_t i = 0; i < rows; ++i) put(hashes, i, kNullHash, combine);
      return;
    default: {
      for (size_t i = 0; i < rows; ++i) {
        std::string s = c.value_at(i).to_json();
        put(hashes, i, hash_bytes(s.data(), s.size()), combine);
      }
      break;
    }
  }
  if (c.has_validity())
    for (size_t i = 0; i < rows; ++i)
      if (c.is_null(i)) put(hashes, i, kNullHash, false);
}

void compare_values_only(const Column& a, const uint32_t* ra, const Column& b, const uint32_t* rb,
                         size_t n, uint8_t* equal);

namespace {

template <typename T>
void compare_fixed(const Column& a, const uint32_t* ra, const Column& b, const uint32_t* rb, size_t n,
                   uint8_t* equal) {
  const T* x = a.values<T>();
  const T* y = b.values<T>();
  for (size_t k = 0; k < n; ++k) equal[k] &= std::memcmp(&x[ra[k]], &y[rb[k]], sizeof(T)) == 0;
}
}  // namespace

void compare_rows(const Column& a, const uint32_t* ra, const Column& b, const uint32_t* rb, size_t n,
                  uint8_t* equal) {
  if (a.has_validity() || b.has_validity()) {
    // NULL slots hold arbitrary values: compare into scratch, then decide NULL rows explicitly.
    std::vector<uint8_t> col_equal(n, 1);
    uint8_t* ce = col_equal.data();
    compare_values_only(a, ra, b, rb, n, ce);
    for (size_t k = 0; k < n; ++k) {
      bool an = a.is_null(ra[k]), bn = b.is_null(rb[k]);
      if (an || bn) ce[k] = an && bn;
      equal[k] &= ce[k];
    }
    return;
  }
  compare_values_only(a, ra, b, rb, n, equal);
}

void compare_values_only(const Column& a, const uint32_t* ra, const Column& b, const uint32_t* rb,
                         size_t n, uint8_t* equal) {
  switch (a.type().id()) {
    case TypeId::kBoolean: compare_fixed<uint8_t>(a, ra, b, rb, n, equal); break;
    case TypeId::kInt32:
    case TypeId::kDate: compare_fixed<int32_t>(a, ra, b, rb, n, equal); break;
    case TypeId::kInt64:
    case TypeId::kTimestamp: compare_fixed<int64_t>(a, ra, b, rb, n, equal); break;
    case TypeId::kDouble: {
      const double* x = a.values<double>();
      const double* y = b.values<double>();
      for (size_t k = 0; k < n; ++k) equal[k] &= x[ra[k]] == y[rb[k]] || (x[ra[k]] != x[ra[k]] && y[rb[k]] != y[rb[k]]);
      break;
    }
    case TypeId::kDecimal:
    case TypeId::kInterval: compare_fixed<int128_t>(a, ra, b, rb, n, equal); break;
    case TypeId::kString:
    case TypeId::kBytes:
      for (size_t k = 0; k < n; ++k) equal[k] &= a.string_at(ra[k]) == b.string_at(rb[k]);
      break;
    case TypeId::kNull: break;
    default:
      for (size_t k = 0; k < n; ++k) equal[k] &= compare_values(a, ra[k], b, rb[k]) == 0;
      return;
  }
}

}  // namespace velo
