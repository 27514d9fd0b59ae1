#include "velo/formats/avro/avro_datum.h"

#include <simdjson.h>

#include <algorithm>
#include <cstring>

#include "velo/types/decimal.h"
#include "velo/types/error.h"
#include "velo/types/temporal.h"

namespace velo::avro {

// ---- primitives -----------------------------------------------------------------------------

namespace {

using uint128_t = unsigned __int128;

[[noreturn]] void fail(const std::string& what) { throw Error(ErrorKind::kFormat, what); }

[[noreturn]] void truncated() { fail("datum is truncated"); }

}  // namespace

int64_t read_long(const uint8_t** pp, const uint8_t* end) {
  const uint8_t* p = *pp;
  uint64_t v = 0;
  int shift = 0;
  while (true) {
    if (p >= end) truncated();
    uint8_t b = *p++;
    if (shift == 63 && (b & 0x7e)) fail("varint overflows 64 bits");
    v |= uint64_t{b & 0x7fu} << shift;
    if (!(b & 0x80)) break;
    shift += 7;
    if (shift > 63) fail("varint is longer than 10 bytes");
  }
  *pp = p;
  return static_cast<int64_t>((v >> 1) ^ -(v & 1));
}

namespace {

template <typename Out>
void write_long_to(int64_t v, Out* out) {
  uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  uint8_t buf[10];
  size_t n = 0;
  while (z >= 0x80) {
    buf[n++] = static_cast<uint8_t>(z | 0x80);
    z >>= 7;
  }
  buf[n++] = static_cast<uint8_t>(z);
  out->append(reinterpret_cast<const char*>(buf), n);
}

}  // namespace

void write_long(int64_t v, Buffer* out) { write_long_to(v, out); }
void write_long(int64_t v, std::string* out) { write_long_to(v, out); }

// ---- decode plan ----------------------------------------------------------------------------

enum class DOp : uint8_t {
  kNull,        // writer null (or a value skipped into a NULL column): append NULL
  kSkipToNull,  // skip the writer value, append NULL
  kBool,
  kIntToI32,
  kIntToI64,  // factor: time-millis -> micros
  kIntToF64,
  kIntToDec,  // dec_factor
  kDateToTs,
  kLongToI64,     // factor (multiply)
  kLongDivToI64,  // factor (floor divide): nanos -> micros
  kLongToF64,
  kLongToDec,
  kFloatToF64,
  kDoubleToF64,
  kBin,  // string/bytes -> STRING/BYTES
  kFixedBin,
  kFixedUuid,
  kFixedDuration,
  kBytesDec,
  kFixedDec,
  kEnum,
  kArray,
  kMap,
  kArrayMap,  // array of record {key, value} -> MAP: kids = key step, value step
  kRecord,
  kUnion,        // per-branch steps into the same column
  kUnionStruct,  // general union -> STRUCT of members
  kError,        // a union branch that cannot be read as the target
};

struct DecodeStep {
  DOp op = DOp::kNull;
  const AvroNode* writer = nullptr;
  int64_t factor = 1;
  int128_t dec_factor = 1;
  int scale_from = 0, scale_to = 0, precision_to = 0;
  std::vector<DecodeStep> kids;
  // kRecord: per writer field, the target child (-1 = skip). kUnionStruct: per branch.
  std::vector<int> targets;
  // kRecord: target children absent from the writer, with a one-row default (nullptr = NULL).
  std::vector<std::pair<int, ColumnPtr>> defaults;
  std::string error;
};

namespace {

constexpr int64_t kZeroSizeItemBudget = int64_t{1} << 24;

struct Cursor {
  const uint8_t* p;
  const uint8_t* end;
  int64_t zero_budget = kZeroSizeItemBudget;
};

inline int64_t rd_long(Cursor& c) {
  if (c.p < c.end && !(*c.p & 0x80)) {
    uint8_t b = *c.p++;
    return static_cast<int64_t>((b >> 1) ^ -(b & 1));
  }
  return read_long(&c.p, c.end);
}

inline int32_t rd_int(Cursor& c) {
  int64_t v = rd_long(c);
  if (v < INT32_MIN || v > INT32_MAX) fail(fmt::format("int value {} out of range", v));
  return static_cast<int32_t>(v);
}

inline std::string_view rd_bytes(Cursor& c) {
  int64_t n = rd_long(c);
  if (n < 0) fail(fmt::format("negative length {}", n));
  if (n > c.end - c.p)
    fail(fmt::format("length {} runs past the end of the data ({} bytes left)", n, c.end - c.p));
  std::string_view s(reinterpret_cast<const char*>(c.p), static_cast<size_t>(n));
  c.p += n;
  return s;
}

inline const uint8_t* rd_fixed(Cursor& c, int64_t n) {
  if (n > c.end - c.p) truncated();
  const uint8_t* p = c.p;
  c.p += n;
  return p;
}

// Items in the next array/map block; 0 at the end. Bounds the count by the bytes left.
int64_t rd_block_count(Cursor& c, int64_t item_min_size) {
  int64_t n = rd_long(c);
  if (n < 0) {
    if (n == INT64_MIN) fail("invalid block count");
    n = -n;
    int64_t bytes = rd_long(c);
    if (bytes < 0) fail(fmt::format("negative block size {}", bytes));
  }
  if (n == 0) return 0;
  if (item_min_size > 0) {
    if (n > (c.end - c.p) / item_min_size)
      fail(fmt::format("block of {} items cannot fit in the {} bytes left", n, c.end - c.p));
  } else {
    c.zero_budget -= n;
    if (c.zero_budget < 0) fail(fmt::format("array block count {} is implausibly large", n));
  }
  return n;
}

void skip(const AvroNode& w, Cursor& c) {
  switch (w.type) {
    case AvroType::kNull:
      return;
    case AvroType::kBoolean:
      rd_fixed(c, 1);
      return;
    case AvroType::kInt:
    case AvroType::kLong:
    case AvroType::kEnum:
      rd_long(c);
      return;
    case AvroType::kFloat:
      rd_fixed(c, 4);
      return;
    case AvroType::kDouble:
      rd_fixed(c, 8);
      return;
    case AvroType::kBytes:
    case AvroType::kString:
      rd_bytes(c);
      return;
    case AvroType::kFixed:
      rd_fixed(c, w.size);
      return;
    case AvroType::kRecord:
      for (const auto& f : w.fields) skip(*f.type, c);
      return;
    case AvroType::kUnion: {
      int64_t b = rd_long(c);
      if (b < 0 || b >= static_cast<int64_t>(w.branches.size()))
        fail(fmt::format("union branch index {} out of range ({} branches)", b, w.branches.size()));
      skip(*w.branches[b], c);
      return;
    }
    case AvroType::kArray:
    case AvroType::kMap:
      while (true) {
        int64_t n = rd_long(c);
        if (n == 0) return;
        if (n < 0) {
          if (n == INT64_MIN) fail("invalid block count");
          int64_t bytes = rd_long(c);
          if (bytes < 0 || bytes > c.end - c.p)
            fail(fmt::format("block size {} runs past the end of the data", bytes));
          c.p += bytes;
          continue;
        }
        int64_t item = w.items->min_size + (w.type == AvroType::kMap ? 1 : 0);
        if (item > 0 ? n > (c.end - c.p) / item : (c.zero_budget -= n) < 0)
          fail(fmt::format("block of {} items cannot fit in the {} bytes left", n, c.end - c.p));
        for (int64_t i = 0; i < n; ++i) {
          if (w.type == AvroType::kMap) rd_bytes(c);
          skip(*w.items, c);
        }
      }
  }
}

int128_t rd_be_int128(const uint8_t* p, size_t n) {
  if (n == 0) return 0;
  if (n > 16) {
    uint8_t sign = (p[0] & 0x80) ? 0xff : 0x00;
    for (size_t i = 0; i < n - 16; ++i)
      if (p[i] != sign) fail("decimal value does not fit 128 bits");
    if ((p[n - 16] & 0x80) != (sign & 0x80)) fail("decimal value does not fit 128 bits");
    p += n - 16;
    n = 16;
  }
  uint128_t u = (p[0] & 0x80) ? ~uint128_t{0} : 0;
  for (size_t i = 0; i < n; ++i) u = (u << 8) | p[i];
  return static_cast<int128_t>(u);
}

void append_decimal(const DecodeStep& s, int128_t v, Column& col) {
  if (s.scale_from != s.scale_to) {
    int128_t r;
    if (!decimal::rescale(v, s.scale_from, s.scale_to, &r))
      fail(fmt::format("decimal value {} does not fit DECIMAL({},{})",
                       decimal::to_string(v, s.scale_from), s.precision_to, s.scale_to));
    v = r;
  }
  int128_t m = decimal::max_for_precision(s.precision_to);
  if (v > m || v < -m)
    fail(fmt::format("decimal value {} does not fit DECIMAL({},{})",
                     decimal::to_string(v, s.scale_to), s.precision_to, s.scale_to));
  col.append<int128_t>(v);
}

inline int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

void decode_fields(const DecodeStep& s, Cursor& c, const ColumnPtr* cols);

void decode_value(const DecodeStep& s, Cursor& c, Column& col) {
  switch (s.op) {
    case DOp::kNull:
      col.append_null();
      return;
    case DOp::kSkipToNull:
      skip(*s.writer, c);
      col.append_null();
      return;
    case DOp::kBool:
      col.append<uint8_t>(*rd_fixed(c, 1) ? 1 : 0);
      return;
    case DOp::kIntToI32:
      col.append<int32_t>(rd_int(c));
      return;
    case DOp::kIntToI64:
      col.append<int64_t>(int64_t{rd_int(c)} * s.factor);
      return;
    case DOp::kIntToF64:
      col.append<double>(rd_int(c));
      return;
    case DOp::kIntToDec:
      append_decimal(s, int128_t{rd_int(c)} * s.dec_factor, col);
      return;
    case DOp::kDateToTs:
      col.append<int64_t>(int64_t{rd_int(c)} * temporal::kMicrosPerDay);
      return;
    case DOp::kLongToI64: {
      int64_t v = rd_long(c), r;
      if (__builtin_mul_overflow(v, s.factor, &r))
        fail(fmt::format("timestamp {} out of range", v));
      col.append<int64_t>(r);
      return;
    }
    case DOp::kLongDivToI64:
      col.append<int64_t>(floor_div(rd_long(c), s.factor));
      return;
    case DOp::kLongToF64:
      col.append<double>(static_cast<double>(rd_long(c)));
      return;
    case DOp::kLongToDec:
      append_decimal(s, int128_t{rd_long(c)} * s.dec_factor, col);
      return;
    case DOp::kFloatToF64: {
      float f;
      std::memcpy(&f, rd_fixed(c, 4), 4);
      col.append<double>(f);
      return;
    }
    case DOp::kDoubleToF64: {
      double d;
      std::memcpy(&d, rd_fixed(c, 8), 8);
      col.append<double>(d);
      return;
    }
    case DOp::kBin:
      col.append_string(rd_bytes(c));
      return;
    case DOp::kFixedBin:
      col.append_string(std::string_view(reinterpret_cast<const char*>(rd_fixed(c, s.writer->size)),
                                         static_cast<size_t>(s.writer->size)));
      return;
    case DOp::kFixedUuid: {
      const uint8_t* p = rd_fixed(c, 16);
      static const char kHex[] = "0123456789abcdef";
      char buf[36];
      size_t o = 0;
      for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) buf[o++] = '-';
        buf[o++] = kHex[p[i] >> 4];
        buf[o++] = kHex[p[i] & 15];
      }
      col.append_string(std::string_view(buf, 36));
      return;
    }
    case DOp::kFixedDuration: {
      const uint8_t* p = rd_fixed(c, 12);
      uint32_t v[3];
      std::memcpy(v, p, 12);
      col.append<Interval>(
          Interval{static_cast<int32_t>(v[0]), static_cast<int32_t>(v[1]), int64_t{v[2]} * 1000});
      return;
    }
    case DOp::kBytesDec: {
      std::string_view b = rd_bytes(c);
      append_decimal(s, rd_be_int128(reinterpret_cast<const uint8_t*>(b.data()), b.size()), col);
      return;
    }
    case DOp::kFixedDec: {
      size_t n = static_cast<size_t>(s.writer->size);
      append_decimal(s, rd_be_int128(rd_fixed(c, s.writer->size), n), col);
      return;
    }
    case DOp::kEnum: {
      int64_t i = rd_long(c);
      const auto& syms = s.writer->symbols;
      if (i < 0 || i >= static_cast<int64_t>(syms.size()))
        fail(fmt::format("enum index {} out of range for '{}' ({} symbols)", i, s.writer->name,
                         syms.size()));
      col.append_string(syms[i]);
      return;
    }
    case DOp::kArray: {
      Column& child = col.child(0);
      int64_t item = s.writer->items->min_size;
      while (int64_t n = rd_block_count(c, item))
        for (int64_t i = 0; i < n; ++i) decode_value(s.kids[0], c, child);
      col.append_list_end();
      return;
    }
    case DOp::kMap: {
      Column& entries = col.child(0);
      Column& keys = entries.child(0);
      Column& values = entries.child(1);
      int64_t item = s.writer->items->min_size + 1;
      while (int64_t n = rd_block_count(c, item)) {
        for (int64_t i = 0; i < n; ++i) {
          keys.append_string(rd_bytes(c));
          decode_value(s.kids[0], c, values);
          entries.append_struct_row();
        }
      }
      col.append_list_end();
      return;
    }
    case DOp::kArrayMap: {
      Column& entries = col.child(0);
      int64_t item = s.writer->items->min_size;
      // The items may be ["null", record]: a null entry is not representable, so it fails.
      while (int64_t n = rd_block_count(c, item)) {
        for (int64_t i = 0; i < n; ++i) {
          if (s.factor >= 0) {
            int64_t b = rd_long(c);
            if (b != s.factor) fail("null entry in an Avro map array");
          }
          decode_value(s.kids[0], c, entries.child(0));
          decode_value(s.kids[1], c, entries.child(1));
          entries.append_struct_row();
        }
      }
      col.append_list_end();
      return;
    }
    case DOp::kRecord:
      decode_fields(s, c, col.children().data());
      col.append_struct_row();
      return;
    case DOp::kUnion: {
      int64_t b = rd_long(c);
      if (b < 0 || b >= static_cast<int64_t>(s.kids.size()))
        fail(fmt::format("union branch index {} out of range ({} branches)", b, s.kids.size()));
      decode_value(s.kids[b], c, col);
      return;
    }
    case DOp::kUnionStruct: {
      int64_t b = rd_long(c);
      if (b < 0 || b >= static_cast<int64_t>(s.kids.size()))
        fail(fmt::format("union branch index {} out of range ({} branches)", b, s.kids.size()));
      int t = s.targets[b];
      if (t < 0) {
        skip(*s.writer->branches[b], c);
        col.append_null();
        return;
      }
      auto& kids = col.children();
      for (size_t i = 0; i < kids.size(); ++i) {
        if (static_cast<int>(i) == t)
          decode_value(s.kids[b], c, *kids[i]);
        else
          kids[i]->append_null();
      }
      col.append_struct_row();
      return;
    }
    case DOp::kError:
      fail(s.error);
  }
}

void decode_fields(const DecodeStep& s, Cursor& c, const ColumnPtr* cols) {
  const auto& fields = s.writer->fields;
  for (size_t i = 0; i < fields.size(); ++i) {
    int t = s.targets[i];
    if (t < 0)
      skip(*fields[i].type, c);
    else
      decode_value(s.kids[i], c, *cols[t]);
  }
  for (const auto& [t, d] : s.defaults) {
    if (d)
      cols[t]->append_from(*d, 0);
    else
      cols[t]->append_null();
  }
}

// ---- JSON defaults -> binary ------------------------------------------------------------------

using simdjson::dom::element;

void utf8_to_latin1(std::string_view s, std::string* out) {
  // JSON strings for bytes/fixed defaults hold one code point (0-255) per byte.
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    if (c < 0x80) {
      out->push_back(static_cast<char>(c));
      ++i;
    } else if ((c & 0xe0) == 0xc0 && i + 1 < s.size()) {
      unsigned cp = ((c & 0x1f) << 6) | (s[i + 1] & 0x3f);
      if (cp > 0xff) fail("bytes default has a code point above 255");
      out->push_back(static_cast<char>(cp));
      i += 2;
    } else {
      fail("bytes default has a code point above 255");
    }
  }
}

void json_to_binary(const AvroNode& n, element e, std::string* out) {
  auto bad = [&]() -> void {
    fail(fmt::format("default {} does not match Avro type {}", simdjson::minify(e),
                     n.is_named() ? n.name : avro_type_name(n.type)));
  };
  switch (n.type) {
    case AvroType::kNull:
      if (!e.is_null()) bad();
      return;
    case AvroType::kBoolean:
      if (!e.is_bool()) bad();
      out->push_back(bool(e.get_bool()) ? 1 : 0);
      return;
    case AvroType::kInt:
    case AvroType::kLong: {
      int64_t v;
      if (e.get_int64().get(v)) bad();
      write_long(v, out);
      return;
    }
    case AvroType::kFloat:
    case AvroType::kDouble: {
      double d;
      if (e.get_double().get(d)) bad();
      if (n.type == AvroType::kFloat) {
        float f = static_cast<float>(d);
        out->append(reinterpret_cast<const char*>(&f), 4);
      } else {
        out->append(reinterpret_cast<const char*>(&d), 8);
      }
      return;
    }
    case AvroType::kString:
    case AvroType::kBytes:
    case AvroType::kFixed: {
      if (!e.is_string()) bad();
      std::string_view s = e.get_string();
      std::string raw;
      if (n.type == AvroType::kString)
        raw = s;
      else
        utf8_to_latin1(s, &raw);
      if (n.type == AvroType::kFixed) {
        if (static_cast<int64_t>(raw.size()) != n.size) bad();
      } else {
        write_long(static_cast<int64_t>(raw.size()), out);
      }
      out->append(raw);
      return;
    }
    case AvroType::kEnum: {
      if (!e.is_string()) bad();
      std::string_view s = e.get_string();
      for (size_t i = 0; i < n.symbols.size(); ++i)
        if (n.symbols[i] == s) {
          write_long(static_cast<int64_t>(i), out);
          return;
        }
      bad();
      return;
    }
    case AvroType::kArray: {
      if (!e.is_array()) bad();
      auto arr = e.get_array();
      if (arr.size()) write_long(static_cast<int64_t>(arr.size()), out);
      for (element x : arr) json_to_binary(*n.items, x, out);
      out->push_back(0);
      return;
    }
    case AvroType::kMap: {
      if (!e.is_object()) bad();
      auto obj = e.get_object();
      if (obj.size()) write_long(static_cast<int64_t>(obj.size()), out);
      for (auto kv : obj) {
        write_long(static_cast<int64_t>(kv.key.size()), out);
        out->append(kv.key);
        json_to_binary(*n.items, kv.value, out);
      }
      out->push_back(0);
      return;
    }
    case AvroType::kRecord: {
      if (!e.is_object()) bad();
      for (const auto& f : n.fields) {
        element v;
        if (!e[f.name].get(v)) {
          json_to_binary(*f.type, v, out);
        } else if (f.default_json) {
          simdjson::dom::parser p;
          json_to_binary(*f.type, p.parse(*f.default_json).value(), out);
        } else {
          bad();
        }
      }
      return;
    }
    case AvroType::kUnion: {
      // The spec: a union's default matches its first branch. Tolerate null for a later null
      // branch (common in hand-written schemas).
      if (e.is_null() && n.null_branch >= 0) {
        write_long(n.null_branch, out);
        return;
      }
      for (size_t i = 0; i < n.branches.size(); ++i) {
        std::string tmp;
        try {
          json_to_binary(*n.branches[i], e, &tmp);
        } catch (const Error&) {
          continue;
        }
        write_long(static_cast<int64_t>(i), out);
        out->append(tmp);
        return;
      }
      bad();
      return;
    }
  }
}

// ---- compile ----------------------------------------------------------------------------------

std::string describe(const AvroNode& n) {
  std::string s = n.is_named() ? n.name : avro_type_name(n.type);
  if (n.logical == LogicalType::kDecimal)
    s += fmt::format(" (decimal({},{}))", n.precision, n.scale);
  return s;
}

const AvroNode* strip_nullable(const AvroNode* r) {
  if (r && r->type == AvroType::kUnion) {
    if (const AvroNode* b = r->nullable_branch()) return b;
    if (r->branches.size() == 1) return r->branches[0];
  }
  return r;
}

class Compiler {
 public:
  DecodeStep compile(const AvroNode& w, const DataType& t, const AvroNode* r,
                     const std::string& path) {
    DecodeStep s;
    s.writer = &w;
    if (t.id() == TypeId::kNull) {
      s.op = w.type == AvroType::kNull ? DOp::kNull : DOp::kSkipToNull;
      return s;
    }
    if (w.type == AvroType::kUnion) return compile_union(w, t, r, path);
    r = strip_nullable(r);
    auto mismatch = [&]() {
      s.op = DOp::kError;
      s.error = fmt::format("{}: Avro type {} cannot be read as {}", path.empty() ? "value" : path,
                            describe(w), t.to_string());
    };
    switch (t.id()) {
      case TypeId::kBoolean:
        if (w.type == AvroType::kBoolean)
          s.op = DOp::kBool;
        else
          mismatch();
        break;
      case TypeId::kInt32:
      case TypeId::kDate:
        if (w.type == AvroType::kInt &&
            (t.id() == TypeId::kInt32 || w.logical == LogicalType::kDate ||
             w.logical == LogicalType::kNone))
          s.op = DOp::kIntToI32;
        else
          mismatch();
        break;
      case TypeId::kInt64:
        if (w.type == AvroType::kInt) {
          s.op = DOp::kIntToI64;
          if (w.logical == LogicalType::kTimeMillis) s.factor = 1000;
        } else if (w.type == AvroType::kLong) {
          s.op = DOp::kLongToI64;
        } else {
          mismatch();
        }
        break;
      case TypeId::kDouble:
        if (w.type == AvroType::kInt)
          s.op = DOp::kIntToF64;
        else if (w.type == AvroType::kLong)
          s.op = DOp::kLongToF64;
        else if (w.type == AvroType::kFloat)
          s.op = DOp::kFloatToF64;
        else if (w.type == AvroType::kDouble)
          s.op = DOp::kDoubleToF64;
        else
          mismatch();
        break;
      case TypeId::kDecimal:
        s.scale_to = t.scale();
        s.precision_to = t.precision();
        if (w.type == AvroType::kInt || w.type == AvroType::kLong) {
          s.op = w.type == AvroType::kInt ? DOp::kIntToDec : DOp::kLongToDec;
          s.dec_factor = decimal::pow10(t.scale());
          s.scale_from = t.scale();
        } else if (w.logical == LogicalType::kDecimal && w.precision <= decimal::kMaxPrecision) {
          s.op = w.type == AvroType::kBytes ? DOp::kBytesDec : DOp::kFixedDec;
          s.scale_from = w.scale;
        } else {
          mismatch();
        }
        break;
      case TypeId::kTimestamp:
        if (w.type == AvroType::kLong) {
          switch (w.logical) {
            case LogicalType::kTimestampMillis:
            case LogicalType::kLocalTimestampMillis:
              s.op = DOp::kLongToI64;
              s.factor = 1000;
              break;
            case LogicalType::kTimestampNanos:
            case LogicalType::kLocalTimestampNanos:
              s.op = DOp::kLongDivToI64;
              s.factor = 1000;
              break;
            default:
              s.op = DOp::kLongToI64;
              break;
          }
        } else if (w.type == AvroType::kInt && w.logical == LogicalType::kDate) {
          s.op = DOp::kDateToTs;
        } else {
          mismatch();
        }
        break;
      case TypeId::kString:
      case TypeId::kBytes:
        if (w.type == AvroType::kString || w.type == AvroType::kBytes)
          s.op = DOp::kBin;
        else if (w.type == AvroType::kEnum && t.id() == TypeId::kString)
          s.op = DOp::kEnum;
        else if (w.type == AvroType::kFixed)
          s.op = w.logical == LogicalType::kUuid && t.id() == TypeId::kString ? DOp::kFixedUuid
                                                                              : DOp::kFixedBin;
        else
          mismatch();
        break;
      case TypeId::kInterval:
        if (w.type == AvroType::kFixed && w.logical == LogicalType::kDuration)
          s.op = DOp::kFixedDuration;
        else
          mismatch();
        break;
      case TypeId::kList:
        if (w.type == AvroType::kArray) {
          s.op = DOp::kArray;
          s.kids.push_back(compile(*w.items, t.children()[0].type,
                                   r && r->type == AvroType::kArray ? r->items : nullptr,
                                   path + "[]"));
          must_work(s.kids[0]);
        } else {
          mismatch();
        }
        break;
      case TypeId::kMap: {
        const DataType& entries = t.children()[0].type;
        const AvroNode* rec = w.type == AvroType::kArray ? w.items : nullptr;
        int64_t branch = -1;
        if (rec && rec->type == AvroType::kUnion && rec->nullable_branch()) {
          branch = rec->null_branch == 0 ? 1 : 0;
          rec = rec->nullable_branch();
        }
        if (rec && rec->type == AvroType::kRecord && rec->fields.size() == 2 &&
            rec->fields[0].name == "key" && rec->fields[1].name == "value") {
          s.op = DOp::kArrayMap;
          s.factor = branch;
          s.kids.push_back(
              compile(*rec->fields[0].type, entries.children()[0].type, nullptr, path + ".key"));
          s.kids.push_back(
              compile(*rec->fields[1].type, entries.children()[1].type, nullptr, path + ".value"));
          must_work(s.kids[0]);
          must_work(s.kids[1]);
        } else if (w.type == AvroType::kMap && entries.children()[0].type.id() == TypeId::kString) {
          s.op = DOp::kMap;
          s.kids.push_back(compile(*w.items, entries.children()[1].type,
                                   r && r->type == AvroType::kMap ? r->items : nullptr,
                                   path + "{}"));
          must_work(s.kids[0]);
        } else {
          mismatch();
        }
        break;
      }
      case TypeId::kStruct:
        if (w.type == AvroType::kRecord) {
          s = compile_record(w, t.children(), r && r->type == AvroType::kRecord ? r : nullptr,
                             path);
        } else {
          mismatch();
        }
        break;
      case TypeId::kNull:
        break;
    }
    return s;
  }

  DecodeStep compile_record(const AvroNode& w, const std::vector<Field>& target, const AvroNode* r,
                            const std::string& path) {
    DecodeStep s;
    s.op = DOp::kRecord;
    s.writer = &w;
    s.targets.assign(w.fields.size(), -1);
    s.kids.resize(w.fields.size());
    for (size_t j = 0; j < target.size(); ++j) {
      const std::string& name = target[j].name;
      const AvroField* rf = nullptr;
      if (r)
        for (const auto& f : r->fields)
          if (f.name == name) rf = &f;
      if (r && !rf)
        for (const auto& f : r->fields)
          if (iequals(f.name, name)) rf = &f;
      int wf = find_writer_field(w, name, rf);
      std::string fpath = path.empty() ? name : path + "." + name;
      if (wf >= 0 && s.targets[wf] < 0) {
        s.targets[wf] = static_cast<int>(j);
        s.kids[wf] = compile(*w.fields[wf].type, target[j].type, rf ? rf->type : nullptr, fpath);
        must_work(s.kids[wf]);
      } else {
        s.defaults.emplace_back(static_cast<int>(j), default_column(rf, target[j].type, fpath));
      }
    }
    return s;
  }

 private:
  static void must_work(const DecodeStep& s) {
    if (s.op == DOp::kError) throw Error(ErrorKind::kFormat, s.error);
  }

  static int find_writer_field(const AvroNode& w, const std::string& name, const AvroField* rf) {
    const auto& fs = w.fields;
    for (size_t i = 0; i < fs.size(); ++i)
      if (fs[i].name == name) return static_cast<int>(i);
    if (rf)
      for (const auto& a : rf->aliases)
        for (size_t i = 0; i < fs.size(); ++i)
          if (fs[i].name == a) return static_cast<int>(i);
    for (size_t i = 0; i < fs.size(); ++i)
      if (iequals(fs[i].name, name)) return static_cast<int>(i);
    for (size_t i = 0; i < fs.size(); ++i)
      for (const auto& a : fs[i].aliases)
        if (iequals(a, name)) return static_cast<int>(i);
    return -1;
  }

  ColumnPtr default_column(const AvroField* rf, const DataType& t, const std::string& path) {
    if (!rf || !rf->default_json) return nullptr;
    simdjson::dom::parser p;
    element e;
    if (p.parse(*rf->default_json).get(e)) fail(fmt::format("{}: invalid default JSON", path));
    std::string bin;
    try {
      json_to_binary(*rf->type, e, &bin);
    } catch (const Error& err) {
      fail(fmt::format("{}: {}", path, err.message()));
    }
    DecodeStep s = compile(*rf->type, t, rf->type, path);
    must_work(s);
    auto col = Column::make(t);
    Cursor c{reinterpret_cast<const uint8_t*>(bin.data()),
             reinterpret_cast<const uint8_t*>(bin.data()) + bin.size()};
    decode_value(s, c, *col);
    return col;
  }

  DecodeStep compile_union(const AvroNode& w, const DataType& t, const AvroNode* r,
                           const std::string& path) {
    DecodeStep s;
    s.writer = &w;
    std::vector<std::string> names = union_member_names(w);
    int members = 0;
    for (auto* b : w.branches) members += b->type != AvroType::kNull;
    if (t.id() == TypeId::kStruct && members >= 2) {
      // STRUCT of members when every target field names a member.
      const auto& kids = t.children();
      bool all = !kids.empty();
      for (const auto& f : kids) {
        bool found = false;
        for (const auto& n : names)
          if (!n.empty() && iequals(n, f.name)) found = true;
        all = all && found;
      }
      if (all) {
        s.op = DOp::kUnionStruct;
        const AvroNode* ru = r && r->type == AvroType::kUnion ? r : nullptr;
        std::vector<std::string> rnames;
        if (ru) rnames = union_member_names(*ru);
        for (size_t i = 0; i < w.branches.size(); ++i) {
          int target = -1;
          for (size_t j = 0; j < kids.size() && !names[i].empty(); ++j)
            if (iequals(kids[j].name, names[i])) target = static_cast<int>(j);
          s.targets.push_back(target);
          if (target < 0) {
            s.kids.emplace_back();
            s.kids.back().op = DOp::kNull;
            continue;
          }
          const AvroNode* rb = nullptr;
          for (size_t k = 0; ru && k < rnames.size(); ++k)
            if (iequals(rnames[k], names[i])) rb = ru->branches[k];
          s.kids.push_back(
              compile(*w.branches[i], kids[target].type, rb, path + "." + kids[target].name));
          must_work(s.kids.back());
        }
        return s;
      }
    }
    s.op = DOp::kUnion;
    bool any = false;
    for (size_t i = 0; i < w.branches.size(); ++i) {
      const AvroNode& b = *w.branches[i];
      if (b.type == AvroType::kNull) {
        DecodeStep n;
        n.op = DOp::kNull;
        n.writer = &b;
        s.kids.push_back(std::move(n));
        continue;
      }
      s.kids.push_back(compile(b, t, r, path));
      any = any || s.kids.back().op != DOp::kError;
    }
    if (!any && members > 0) must_work(s.kids[w.null_branch == 0 ? 1 : 0]);
    return s;
  }
};

}  // namespace

// ---- DatumDecoder ----------------------------------------------------------------------------

DatumDecoder::DatumDecoder(AvroSchemaPtr writer, AvroSchemaPtr reader)
    : DatumDecoder(writer, (reader ? reader : writer)->velo_schema(), reader) {}

DatumDecoder::DatumDecoder(AvroSchemaPtr writer, SchemaPtr target, AvroSchemaPtr reader)
    : writer_(std::move(writer)), reader_(std::move(reader)), target_(std::move(target)) {
  Compiler c;
  const AvroNode& w = writer_->root();
  const AvroNode* r = reader_ ? &reader_->root() : nullptr;
  if (w.type == AvroType::kRecord) {
    root_ = std::make_unique<DecodeStep>(c.compile_record(
        w, target_->fields(), r && r->type == AvroType::kRecord ? r : nullptr, ""));
  } else {
    if (target_->size() != 1)
      throw_format_error("Avro schema {} has no fields but {} columns are expected", describe(w),
                         target_->size());
    auto step = std::make_unique<DecodeStep>(c.compile(w, target_->field(0).type, r, ""));
    if (step->op == DOp::kError) throw Error(ErrorKind::kFormat, step->error);
    // Wrap in a one-field pseudo record so decode() has one shape.
    root_ = std::make_unique<DecodeStep>();
    root_->op = DOp::kUnion;  // marker: single column
    root_->writer = nullptr;
    root_->kids.push_back(std::move(*step));
  }
}

DatumDecoder::~DatumDecoder() = default;
DatumDecoder::DatumDecoder(DatumDecoder&&) noexcept = default;
DatumDecoder& DatumDecoder::operator=(DatumDecoder&&) noexcept = default;

std::vector<ColumnPtr> DatumDecoder::make_columns() const {
  std::vector<ColumnPtr> cols;
  for (const auto& f : target_->fields()) cols.push_back(Column::make(f.type));
  return cols;
}

const uint8_t* DatumDecoder::decode(const uint8_t* p, const uint8_t* end,
                                    const std::vector<ColumnPtr>& columns) const {
  Cursor c{p, end};
  if (root_->op == DOp::kRecord)
    decode_fields(*root_, c, columns.data());
  else
    decode_value(root_->kids[0], c, *columns[0]);
  return c.p;
}

void truncate_columns(const std::vector<ColumnPtr>& columns, size_t rows) {
  for (const auto& c : columns) c->truncate(rows);
}

void decode_datum(const AvroSchema& writer, const AvroSchema* reader, std::string_view bytes,
                  std::vector<ColumnPtr>& columns) {
  // Non-owning shared pointers: the decoder lives only for this call.
  AvroSchemaPtr w(std::shared_ptr<const AvroSchema>(), &writer);
  AvroSchemaPtr r = reader ? AvroSchemaPtr(std::shared_ptr<const AvroSchema>(), reader) : nullptr;
  DatumDecoder d(w, r);
  if (columns.empty()) columns = d.make_columns();
  if (columns.size() != d.output_schema()->size())
    throw_internal_error("decode_datum: {} columns for a schema of {}", columns.size(),
                         d.output_schema()->size());
  const uint8_t* p = reinterpret_cast<const uint8_t*>(bytes.data());
  const uint8_t* end = p + bytes.size();
  size_t rows = columns.empty() ? 0 : columns[0]->size();
  try {
    const uint8_t* q = d.decode(p, end, columns);
    if (q != end) fail(fmt::format("{} trailing bytes after the datum", end - q));
  } catch (...) {
    truncate_columns(columns, rows);
    throw;
  }
}

// ---- encoder -------------------------------------------------------------------------------

enum class EOp : uint8_t {
  kNull,
  kBool,
  kI32ToInt,
  kI64ToInt,
  kI32ToLong,
  kI64ToLong,     // factor multiply
  kI64DivToLong,  // factor floor divide (timestamp-millis)
  kI32ToDouble,
  kI64ToDouble,
  kF64ToDouble,
  kF64ToFloat,
  kI32ToFloat,
  kI64ToFloat,
  kDateToTsLong,  // DATE -> long timestamp (factor = micros per unit)
  kBin,
  kBinToFixed,
  kStrToEnum,
  kStrToUuidFixed,
  kDecToBytes,
  kDecToFixed,
  kIntToDecBytes,
  kIntervalToDuration,
  kArray,
  kMap,
  kMapAsArray,
  kRecord,
  kUnion,
  kUnionStruct,
};

struct EncodeStep {
  EOp op = EOp::kNull;
  const AvroNode* node = nullptr;
  int64_t factor = 1;
  int scale_from = 0, scale_to = 0;
  int null_branch = -1;
  int value_branch = -1;
  std::vector<EncodeStep> kids;
  // kRecord: per Avro field, the source child (-1 = absent: write `fill[i]`).
  std::vector<int> sources;
  std::vector<std::string> fill;
  // kUnionStruct: per struct child, the union branch.
  std::vector<int> branches;
  std::string path;
};

namespace {

[[noreturn]] void encode_fail(const EncodeStep& s, const std::string& what) {
  throw_user_error("cannot write Avro field '{}': {}", s.path.empty() ? "value" : s.path, what);
}

void put_fixed(const void* p, size_t n, Buffer* out) { out->append(p, n); }

void put_decimal(int128_t v, int64_t fixed_size, Buffer* out, const EncodeStep& s) {
  uint8_t be[16];
  uint128_t u = static_cast<uint128_t>(v);
  for (int i = 15; i >= 0; --i) {
    be[i] = static_cast<uint8_t>(u);
    u >>= 8;
  }
  int start = 0;
  uint8_t sign = v < 0 ? 0xff : 0;
  while (start < 15 && be[start] == sign && ((be[start + 1] & 0x80) == (sign & 0x80))) ++start;
  int n = 16 - start;
  if (fixed_size < 0) {
    write_long(n, out);
    out->append(be + start, n);
    return;
  }
  if (n > fixed_size) encode_fail(s, "decimal value does not fit the fixed size");
  for (int64_t i = n; i < fixed_size; ++i) out->push(sign);
  out->append(be + start, n);
}

int hex_val(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void encode(const EncodeStep& s, const Column& col, size_t row, Buffer* out);

void encode_fields(const EncodeStep& s, const ColumnPtr* cols, size_t row, Buffer* out) {
  for (size_t i = 0; i < s.sources.size(); ++i) {
    int src = s.sources[i];
    if (src < 0)
      out->append(s.fill[i].data(), s.fill[i].size());
    else
      encode(s.kids[i], *cols[src], row, out);
  }
}

void encode(const EncodeStep& s, const Column& col, size_t row, Buffer* out) {
  if (s.op == EOp::kNull) return;
  if (col.is_null(row)) {
    if (s.op == EOp::kUnion && s.null_branch >= 0) {
      write_long(s.null_branch, out);
      return;
    }
    if (s.op == EOp::kUnionStruct && s.null_branch >= 0) {
      write_long(s.null_branch, out);
      return;
    }
    encode_fail(s, "NULL value for a non-nullable Avro type");
  }
  switch (s.op) {
    case EOp::kNull:
      return;
    case EOp::kBool:
      out->push(uint8_t{col.value<uint8_t>(row) ? uint8_t{1} : uint8_t{0}});
      return;
    case EOp::kI32ToInt:
    case EOp::kI32ToLong:
      write_long(col.value<int32_t>(row), out);
      return;
    case EOp::kI64ToInt: {
      int64_t v = col.value<int64_t>(row);
      if (v < INT32_MIN || v > INT32_MAX)
        encode_fail(s, fmt::format("{} does not fit an Avro int", v));
      write_long(v, out);
      return;
    }
    case EOp::kI64ToLong: {
      int64_t v = col.value<int64_t>(row), r;
      if (__builtin_mul_overflow(v, s.factor, &r)) encode_fail(s, "timestamp out of range");
      write_long(r, out);
      return;
    }
    case EOp::kI64DivToLong:
      write_long(floor_div(col.value<int64_t>(row), s.factor), out);
      return;
    case EOp::kDateToTsLong:
      write_long(int64_t{col.value<int32_t>(row)} * s.factor, out);
      return;
    case EOp::kI32ToDouble: {
      double d = col.value<int32_t>(row);
      put_fixed(&d, 8, out);
      return;
    }
    case EOp::kI64ToDouble: {
      double d = static_cast<double>(col.value<int64_t>(row));
      put_fixed(&d, 8, out);
      return;
    }
    case EOp::kF64ToDouble:
      put_fixed(&col.values<double>()[row], 8, out);
      return;
    case EOp::kF64ToFloat: {
      float f = static_cast<float>(col.value<double>(row));
      put_fixed(&f, 4, out);
      return;
    }
    case EOp::kI32ToFloat: {
      float f = static_cast<float>(col.value<int32_t>(row));
      put_fixed(&f, 4, out);
      return;
    }
    case EOp::kI64ToFloat: {
      float f = static_cast<float>(col.value<int64_t>(row));
      put_fixed(&f, 4, out);
      return;
    }
    case EOp::kBin: {
      std::string_view v = col.string_at(row);
      write_long(static_cast<int64_t>(v.size()), out);
      out->append(v.data(), v.size());
      return;
    }
    case EOp::kBinToFixed: {
      std::string_view v = col.string_at(row);
      if (static_cast<int64_t>(v.size()) != s.node->size)
        encode_fail(s, fmt::format("{} bytes for fixed({})", v.size(), s.node->size));
      out->append(v.data(), v.size());
      return;
    }
    case EOp::kStrToEnum: {
      std::string_view v = col.string_at(row);
      const auto& syms = s.node->symbols;
      for (size_t i = 0; i < syms.size(); ++i)
        if (syms[i] == v) {
          write_long(static_cast<int64_t>(i), out);
          return;
        }
      encode_fail(s, fmt::format("'{}' is not a symbol of enum {}", v, s.node->name));
    }
    case EOp::kStrToUuidFixed: {
      std::string_view v = col.string_at(row);
      uint8_t b[16];
      size_t k = 0;
      for (size_t i = 0; i + 1 < v.size() + 1 && k < 16 && i < v.size();) {
        if (v[i] == '-') {
          ++i;
          continue;
        }
        if (i + 1 >= v.size()) break;
        int hi = hex_val(v[i]), lo = hex_val(v[i + 1]);
        if (hi < 0 || lo < 0) break;
        b[k++] = static_cast<uint8_t>(hi * 16 + lo);
        i += 2;
      }
      if (k != 16) encode_fail(s, fmt::format("'{}' is not a UUID", v));
      out->append(b, 16);
      return;
    }
    case EOp::kDecToBytes:
    case EOp::kDecToFixed:
    case EOp::kIntToDecBytes: {
      int128_t v;
      int from = s.scale_from;
      if (s.op == EOp::kIntToDecBytes) {
        v = col.type().id() == TypeId::kInt32 ? col.value<int32_t>(row) : col.value<int64_t>(row);
        from = 0;
      } else {
        v = col.value<int128_t>(row);
      }
      if (from != s.scale_to && !decimal::rescale(v, from, s.scale_to, &v))
        encode_fail(s, "decimal value does not fit the Avro decimal scale");
      if (v > decimal::max_for_precision(s.node->precision) ||
          v < -decimal::max_for_precision(s.node->precision))
        encode_fail(s, fmt::format("decimal value does not fit decimal({},{})", s.node->precision,
                                   s.node->scale));
      put_decimal(v, s.op == EOp::kDecToFixed ? s.node->size : -1, out, s);
      return;
    }
    case EOp::kIntervalToDuration: {
      Interval iv = col.value<Interval>(row);
      if (iv.months < 0 || iv.days < 0 || iv.micros < 0 || iv.micros % 1000 != 0 ||
          iv.micros / 1000 > UINT32_MAX)
        encode_fail(s, "Avro duration holds only non-negative months, days and whole milliseconds");
      uint32_t v[3] = {static_cast<uint32_t>(iv.months), static_cast<uint32_t>(iv.days),
                       static_cast<uint32_t>(iv.micros / 1000)};
      out->append(v, 12);
      return;
    }
    case EOp::kArray: {
      int32_t b = col.offsets()[row], e = col.offsets()[row + 1];
      if (e > b) {
        write_long(e - b, out);
        for (int32_t i = b; i < e; ++i) encode(s.kids[0], col.child(0), i, out);
      }
      out->push(uint8_t{0});
      return;
    }
    case EOp::kMap:
    case EOp::kMapAsArray: {
      int32_t b = col.offsets()[row], e = col.offsets()[row + 1];
      const Column& entries = col.child(0);
      if (e > b) {
        write_long(e - b, out);
        for (int32_t i = b; i < e; ++i) {
          if (s.op == EOp::kMapAsArray && s.value_branch >= 0) write_long(s.value_branch, out);
          encode(s.kids[0], entries.child(0), i, out);
          encode(s.kids[1], entries.child(1), i, out);
        }
      }
      out->push(uint8_t{0});
      return;
    }
    case EOp::kRecord:
      // children() has no const overload; the columns are only read.
      encode_fields(s, const_cast<Column&>(col).children().data(), row, out);
      return;
    case EOp::kUnion:
      write_long(s.value_branch, out);
      encode(s.kids[0], col, row, out);
      return;
    case EOp::kUnionStruct: {
      for (size_t j = 0; j < col.num_children(); ++j) {
        if (col.child(j).is_null(row)) continue;
        write_long(s.branches[j], out);
        encode(s.kids[j], col.child(j), row, out);
        return;
      }
      if (s.null_branch >= 0) {
        write_long(s.null_branch, out);
        return;
      }
      encode_fail(s, "every union member is NULL and the union has no null branch");
    }
  }
}

class EncodeCompiler {
 public:
  EncodeStep compile(const DataType& t, const AvroNode& n, const std::string& path) {
    EncodeStep s;
    s.node = &n;
    s.path = path;
    auto mismatch = [&]() -> EncodeStep {
      throw_user_error("cannot write {} column '{}' as Avro type {}", t.to_string(),
                       path.empty() ? "value" : path, describe(n));
    };
    if (n.type == AvroType::kUnion) return compile_union(t, n, path);
    TypeId id = t.id();
    switch (n.type) {
      case AvroType::kNull:
        s.op = EOp::kNull;
        return s;
      case AvroType::kBoolean:
        if (id != TypeId::kBoolean) return mismatch();
        s.op = EOp::kBool;
        return s;
      case AvroType::kInt:
        if (id == TypeId::kInt32 || id == TypeId::kDate)
          s.op = EOp::kI32ToInt;
        else if (id == TypeId::kInt64 && n.logical == LogicalType::kNone)
          s.op = EOp::kI64ToInt;
        else
          return mismatch();
        if (n.logical == LogicalType::kDate && id != TypeId::kDate && id != TypeId::kInt32)
          return mismatch();
        return s;
      case AvroType::kLong:
        if (id == TypeId::kTimestamp) {
          switch (n.logical) {
            case LogicalType::kTimestampMillis:
            case LogicalType::kLocalTimestampMillis:
              s.op = EOp::kI64DivToLong;
              s.factor = 1000;
              break;
            case LogicalType::kTimestampNanos:
            case LogicalType::kLocalTimestampNanos:
              s.op = EOp::kI64ToLong;
              s.factor = 1000;
              break;
            default:
              s.op = EOp::kI64ToLong;
              break;
          }
        } else if (id == TypeId::kDate) {
          s.op = EOp::kDateToTsLong;
          s.factor = n.logical == LogicalType::kTimestampMillis ||
                             n.logical == LogicalType::kLocalTimestampMillis
                         ? 86400000LL
                     : n.logical == LogicalType::kTimestampNanos ||
                             n.logical == LogicalType::kLocalTimestampNanos
                         ? temporal::kMicrosPerDay * 1000
                         : temporal::kMicrosPerDay;
        } else if (id == TypeId::kInt64) {
          s.op = EOp::kI64ToLong;
        } else if (id == TypeId::kInt32) {
          s.op = EOp::kI32ToLong;
        } else {
          return mismatch();
        }
        return s;
      case AvroType::kFloat:
      case AvroType::kDouble: {
        bool f = n.type == AvroType::kFloat;
        if (id == TypeId::kDouble)
          s.op = f ? EOp::kF64ToFloat : EOp::kF64ToDouble;
        else if (id == TypeId::kInt32)
          s.op = f ? EOp::kI32ToFloat : EOp::kI32ToDouble;
        else if (id == TypeId::kInt64)
          s.op = f ? EOp::kI64ToFloat : EOp::kI64ToDouble;
        else
          return mismatch();
        return s;
      }
      case AvroType::kString:
      case AvroType::kBytes:
        if (n.logical == LogicalType::kDecimal) {
          if (id == TypeId::kDecimal) {
            s.op = EOp::kDecToBytes;
            s.scale_from = t.scale();
          } else if (id == TypeId::kInt32 || id == TypeId::kInt64) {
            s.op = EOp::kIntToDecBytes;
          } else {
            return mismatch();
          }
          s.scale_to = n.scale;
          return s;
        }
        if (id != TypeId::kString && id != TypeId::kBytes) return mismatch();
        s.op = EOp::kBin;
        return s;
      case AvroType::kFixed:
        if (n.logical == LogicalType::kDecimal && id == TypeId::kDecimal) {
          s.op = EOp::kDecToFixed;
          s.scale_from = t.scale();
          s.scale_to = n.scale;
        } else if (n.logical == LogicalType::kDuration && id == TypeId::kInterval) {
          s.op = EOp::kIntervalToDuration;
        } else if (n.logical == LogicalType::kUuid && id == TypeId::kString) {
          s.op = EOp::kStrToUuidFixed;
        } else if (id == TypeId::kBytes || id == TypeId::kString) {
          s.op = EOp::kBinToFixed;
        } else {
          return mismatch();
        }
        return s;
      case AvroType::kEnum:
        if (id != TypeId::kString) return mismatch();
        s.op = EOp::kStrToEnum;
        return s;
      case AvroType::kArray:
        if (id == TypeId::kList) {
          s.op = EOp::kArray;
          s.kids.push_back(compile(t.children()[0].type, *n.items, path + "[]"));
          return s;
        }
        if (id == TypeId::kMap) {
          const AvroNode* rec = strip_nullable(n.items);
          const auto& e = t.children()[0].type.children();
          if (rec->type != AvroType::kRecord || rec->fields.size() != 2) return mismatch();
          s.op = EOp::kMapAsArray;
          s.value_branch =
              n.items->type == AvroType::kUnion ? (n.items->null_branch == 0 ? 1 : 0) : -1;
          s.kids.push_back(compile(e[0].type, *rec->fields[0].type, path + ".key"));
          s.kids.push_back(compile(e[1].type, *rec->fields[1].type, path + ".value"));
          return s;
        }
        return mismatch();
      case AvroType::kMap: {
        if (id != TypeId::kMap) return mismatch();
        const auto& e = t.children()[0].type.children();
        if (e[0].type.id() != TypeId::kString) return mismatch();
        s.op = EOp::kMap;
        EncodeStep key;
        key.op = EOp::kBin;
        key.path = path + ".key";
        s.kids.push_back(std::move(key));
        s.kids.push_back(compile(e[1].type, *n.items, path + "{}"));
        return s;
      }
      case AvroType::kRecord:
        if (id != TypeId::kStruct) return mismatch();
        return compile_record(t.children(), n, path);
      case AvroType::kUnion:
        break;
    }
    return mismatch();
  }

  EncodeStep compile_record(const std::vector<Field>& fields, const AvroNode& n,
                            const std::string& path) {
    EncodeStep s;
    s.op = EOp::kRecord;
    s.node = &n;
    s.path = path;
    for (const auto& f : n.fields) {
      int src = -1;
      for (size_t j = 0; j < fields.size() && src < 0; ++j)
        if (fields[j].name == f.name) src = static_cast<int>(j);
      for (size_t j = 0; j < fields.size() && src < 0; ++j)
        if (iequals(fields[j].name, f.name)) src = static_cast<int>(j);
      std::string fpath = path.empty() ? f.name : path + "." + f.name;
      s.sources.push_back(src);
      std::string fill;
      if (src >= 0) {
        s.kids.push_back(compile(fields[src].type, *f.type, fpath));
      } else {
        s.kids.emplace_back();
        if (f.default_json) {
          simdjson::dom::parser p;
          json_to_binary(*f.type, p.parse(*f.default_json).value(), &fill);
        } else if (f.type->type == AvroType::kUnion && f.type->null_branch >= 0) {
          write_long(f.type->null_branch, &fill);
        } else if (f.type->type != AvroType::kNull) {
          throw_user_error("no column for Avro field '{}' (which has no default)", fpath);
        }
      }
      s.fill.push_back(std::move(fill));
    }
    return s;
  }

 private:
  EncodeStep compile_union(const DataType& t, const AvroNode& n, const std::string& path) {
    EncodeStep s;
    s.node = &n;
    s.path = path;
    s.null_branch = n.null_branch;
    std::vector<std::string> names = union_member_names(n);
    int members = 0;
    for (auto* b : n.branches) members += b->type != AvroType::kNull;
    if (t.id() == TypeId::kStruct && members >= 2) {
      const auto& kids = t.children();
      bool all = !kids.empty();
      std::vector<int> br;
      for (const auto& f : kids) {
        int found = -1;
        for (size_t i = 0; i < names.size(); ++i)
          if (!names[i].empty() && iequals(names[i], f.name)) found = static_cast<int>(i);
        all = all && found >= 0;
        br.push_back(found);
      }
      if (all) {
        s.op = EOp::kUnionStruct;
        s.branches = br;
        for (size_t j = 0; j < kids.size(); ++j)
          s.kids.push_back(compile(kids[j].type, *n.branches[br[j]], path + "." + kids[j].name));
        return s;
      }
    }
    s.op = EOp::kUnion;
    std::string first_error;
    for (size_t i = 0; i < n.branches.size(); ++i) {
      if (n.branches[i]->type == AvroType::kNull) continue;
      try {
        s.kids.push_back(compile(t, *n.branches[i], path));
        s.value_branch = static_cast<int>(i);
        return s;
      } catch (const Error& e) {
        if (first_error.empty()) first_error = e.message();
      }
    }
    if (t.id() == TypeId::kNull && n.null_branch >= 0) {
      s.value_branch = n.null_branch;
      s.kids.emplace_back();
      return s;
    }
    throw_user_error("cannot write {} column '{}' as the Avro union {}", t.to_string(),
                     path.empty() ? "value" : path, first_error);
  }
};

}  // namespace

DatumEncoder::DatumEncoder(SchemaPtr schema, AvroSchemaPtr writer)
    : schema_(std::move(schema)), writer_(std::move(writer)) {
  EncodeCompiler c;
  const AvroNode& root = writer_->root();
  if (root.type == AvroType::kRecord) {
    root_ = std::make_unique<EncodeStep>(c.compile_record(schema_->fields(), root, ""));
  } else {
    if (schema_->size() != 1)
      throw_user_error("the Avro schema is not a record: exactly one column is needed, not {}",
                       schema_->size());
    root_ = std::make_unique<EncodeStep>();
    root_->op = EOp::kRecord;
    root_->sources = {0};
    root_->fill = {""};
    root_->kids.push_back(c.compile(schema_->field(0).type, root, ""));
  }
}

DatumEncoder::~DatumEncoder() = default;
DatumEncoder::DatumEncoder(DatumEncoder&&) noexcept = default;
DatumEncoder& DatumEncoder::operator=(DatumEncoder&&) noexcept = default;

void DatumEncoder::encode(const std::vector<ColumnPtr>& columns, size_t row, Buffer* out) const {
  encode_fields(*root_, columns.data(), row, out);
}

void encode_datum(const AvroSchemaPtr& writer, const Batch& batch, size_t row, std::string* out) {
  DatumEncoder e(batch.schema, writer);
  Buffer buf;
  e.encode(batch.columns, row, &buf);
  out->append(reinterpret_cast<const char*>(buf.data()), buf.size());
}

// ---- framing ----------------------------------------------------------------------------------

ConfluentMessage parse_confluent(std::string_view m) {
  if (m.size() < kConfluentHeaderSize)
    fail(fmt::format("Confluent-framed Avro message of {} bytes is shorter than its 5-byte header",
                     m.size()));
  if (static_cast<uint8_t>(m[0]) != kConfluentMagic)
    fail(fmt::format("Confluent-framed Avro message starts with byte {:#04x}, not the magic byte 0",
                     static_cast<uint8_t>(m[0])));
  ConfluentMessage out;
  uint32_t id = 0;
  for (int i = 1; i < 5; ++i) id = (id << 8) | static_cast<uint8_t>(m[i]);
  out.schema_id = static_cast<int32_t>(id);
  out.datum = m.substr(kConfluentHeaderSize);
  return out;
}

void append_confluent_header(int32_t schema_id, std::string* out) {
  uint32_t id = static_cast<uint32_t>(schema_id);
  char h[5] = {0, static_cast<char>(id >> 24), static_cast<char>(id >> 16),
               static_cast<char>(id >> 8), static_cast<char>(id)};
  out->append(h, 5);
}

bool is_single_object(std::string_view m) {
  return m.size() >= 10 && static_cast<uint8_t>(m[0]) == 0xC3 && static_cast<uint8_t>(m[1]) == 0x01;
}

SingleObjectMessage parse_single_object(std::string_view m) {
  if (!is_single_object(m)) fail("not an Avro single-object encoded message (marker C3 01)");
  SingleObjectMessage out;
  for (int i = 9; i >= 2; --i)
    out.fingerprint = (out.fingerprint << 8) | static_cast<uint8_t>(m[i]);
  out.datum = m.substr(10);
  return out;
}

void append_single_object_header(uint64_t fp, std::string* out) {
  out->push_back(static_cast<char>(0xC3));
  out->push_back(0x01);
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>(fp >> (8 * i)));
}

}  // namespace velo::avro
