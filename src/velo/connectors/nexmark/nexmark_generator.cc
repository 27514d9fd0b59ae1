#include "velo/connectors/nexmark/nexmark_generator.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "velo/types/error.h"

namespace velo::nexmark {

namespace {

constexpr uint64_t kGolden = 0x9e3779b97f4a7c15ULL;

constexpr uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// splitmix64: one add and one mix per draw. Each field of an event gets its own stream
/// (event key + field salt), so fields are independent of each other and of the projection.
struct Rng {
  uint64_t s;
  uint64_t next() {
    s += kGolden;
    return mix64(s);
  }
  /// Uniform in [0, n) (Lemire's multiply-shift; the bias is below 2^-32 for our small n).
  uint64_t below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
  }
};

/// The stream of column `col` of an event of `type`: a fixed salt per (type, column).
constexpr uint64_t field_salt(EventType type, int col) {
  return mix64(0x243f6a8885a308d3ULL ^ ((static_cast<uint64_t>(type) << 8) | col));
}
constexpr uint64_t kChannelSalt = 0x13198a2e03707344ULL;
constexpr uint64_t kHotChannelSalt = 0xa4093822299f31d0ULL;

inline Rng field_rng(uint64_t event_key, uint64_t salt) { return Rng{event_key + salt}; }

/// Beam PriceGenerator: round(10^(uniform[0,1) * 6) * 100), log-uniform in [100, 1e8).
/// exp() per row costs more than the rest of a bid's numbers, so 10^(6u) comes from a table of
/// 4096 steps of u with linear interpolation inside a step (relative error < 1e-8).
struct PriceTable {
  static constexpr int kBits = 12;
  double base[(1 << kBits) + 1];
  double step[1 << kBits];
  PriceTable() {
    for (int i = 0; i <= (1 << kBits); ++i)
      base[i] = std::pow(10.0, 6.0 * i / (1 << kBits)) * 100.0;
    for (int i = 0; i < (1 << kBits); ++i) step[i] = base[i + 1] - base[i];
  }
};
const PriceTable& price_table() {
  static const PriceTable t;
  return t;
}

inline int64_t next_price(const PriceTable& t, Rng& r) {
  uint64_t x = r.next();
  uint64_t i = x >> (64 - PriceTable::kBits);
  double frac = static_cast<double>(x & ((uint64_t{1} << (64 - PriceTable::kBits)) - 1)) *
                0x1.0p-52;  // 2^-(64 - kBits)
  return static_cast<int64_t>(t.base[i] + t.step[i] * frac + 0.5);
}

/// Beam PersonGenerator.nextBase0PersonId: a random one of the active people plus a few
/// not-yet-created "leads".
inline int64_t next_base0_person_id(int64_t event_id, Rng& r) {
  int64_t num_people = Generator::last_base0_person_id(event_id) + 1;
  int64_t active = std::min(num_people, Generator::kNumActivePeople);
  int64_t n =
      static_cast<int64_t>(r.below(static_cast<uint64_t>(active + Generator::kPersonIdLead)));
  return num_people - active + n;
}

/// Beam AuctionGenerator.nextBase0AuctionId: one of the auctions likely still in flight, plus
/// up to kAuctionIdLead not created yet.
inline int64_t next_base0_auction_id(int64_t event_id, Rng& r) {
  int64_t max_auction = Generator::last_base0_auction_id(event_id);
  int64_t min_auction = std::max<int64_t>(max_auction - Generator::kNumInFlightAuctions, 0);
  return min_auction + static_cast<int64_t>(r.below(static_cast<uint64_t>(
                           max_auction - min_auction + 1 + Generator::kAuctionIdLead)));
}

// Random text is made 16 characters at a time from two draws, one character per random byte;
// the SSE2 and the scalar paths give the same bytes.
constexpr size_t kTextChunk = 16;

/// Byte b -> 'a' + (b * 26) >> 8.
inline void letters16(uint64_t r0, uint64_t r1, char* dst) {
#if defined(__SSE2__)
  const __m128i v = _mm_set_epi64x(static_cast<int64_t>(r1), static_cast<int64_t>(r0));
  const __m128i zero = _mm_setzero_si128();
  const __m128i k = _mm_set1_epi16(26);
  // Lanes hold b << 8; mulhi by 26 gives (b * 26) >> 8.
  __m128i lo = _mm_mulhi_epu16(_mm_unpacklo_epi8(zero, v), k);
  __m128i hi = _mm_mulhi_epu16(_mm_unpackhi_epi8(zero, v), k);
  __m128i out = _mm_add_epi8(_mm_packus_epi16(lo, hi), _mm_set1_epi8('a'));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), out);
#else
  for (int k = 0; k < 8; ++k) {
    dst[k] = static_cast<char>('a' + ((((r0 >> (8 * k)) & 0xff) * 26) >> 8));
    dst[8 + k] = static_cast<char>('a' + ((((r1 >> (8 * k)) & 0xff) * 26) >> 8));
  }
#endif
}

/// Byte b -> `special` when b < 20 (probability 20/256, Beam: 1/13), else the letter
/// 'a' + ((b - 20) * 7221) >> 16 (236 byte values spread 9 or 10 to a letter).
inline void text16(uint64_t r0, uint64_t r1, char special, char* dst) {
#if defined(__SSE2__)
  const __m128i v = _mm_set_epi64x(static_cast<int64_t>(r1), static_cast<int64_t>(r0));
  const __m128i zero = _mm_setzero_si128();
  const __m128i k = _mm_set1_epi16(7221);
  const __m128i bias = _mm_set1_epi16(20);
  // Lanes hold b; saturating b - 20, then mulhi: ((b - 20) * 7221) >> 16.
  __m128i lo = _mm_mulhi_epu16(_mm_subs_epu16(_mm_unpacklo_epi8(v, zero), bias), k);
  __m128i hi = _mm_mulhi_epu16(_mm_subs_epu16(_mm_unpackhi_epi8(v, zero), bias), k);
  __m128i letters = _mm_add_epi8(_mm_packus_epi16(lo, hi), _mm_set1_epi8('a'));
  __m128i is_special = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(19)), v);  // b <= 19
  __m128i out = _mm_or_si128(_mm_and_si128(is_special, _mm_set1_epi8(special)),
                             _mm_andnot_si128(is_special, letters));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), out);
#else
  for (int k = 0; k < 16; ++k) {
    uint32_t b = ((k < 8 ? r0 : r1) >> (8 * (k & 7))) & 0xff;
    dst[k] = b < 20 ? special : static_cast<char>('a' + (((b - 20) * 7221) >> 16));
  }
#endif
}

/// Beam StringsGenerator.nextExactString: `len` random lowercase letters. `dst` must have room
/// for len rounded up to kTextChunk.
inline void next_exact_string(Rng& r, size_t len, char* dst) {
  for (size_t i = 0; i < len; i += kTextChunk) {
    uint64_t r0 = r.next();
    letters16(r0, r.next(), dst + i);
  }
}

/// Beam StringsGenerator.nextString: 3..max_len-1 characters, each `special` with probability
/// ~1/13 or a random lowercase letter; trimmed when special is a space. Returns the length
/// written at `dst` (room for max_len rounded up to kTextChunk needed).
inline size_t next_string(Rng& r, int max_len, char special, char* dst) {
  size_t len = 3 + r.below(static_cast<uint64_t>(max_len - 3));
  for (size_t i = 0; i < len; i += kTextChunk) {
    uint64_t r0 = r.next();
    text16(r0, r.next(), special, dst + i);
  }
  if (special != ' ') return len;
  size_t begin = 0, end = len;
  while (begin < end && dst[begin] == ' ') ++begin;
  while (end > begin && dst[end - 1] == ' ') --end;
  if (begin > 0) std::memmove(dst, dst + begin, end - begin);
  return end - begin;
}

/// Copies a short string in 16-byte steps; both sides need kTextChunk bytes of slack.
inline void copy_short(char* dst, const char* src, size_t len) {
  for (size_t i = 0; i < len; i += kTextChunk) std::memcpy(dst + i, src + i, kTextChunk);
}

/// Beam StringsGenerator.nextExtra: padding so that the event averages `avg_size` bytes
/// (Beam's accounting: 8 per number plus the string lengths). The other fields' size is the
/// expected one, `fixed_size`, rather than the actual one, so that `extra` stays independent of
/// the other columns (and of the projection).
struct ExtraSize {
  int min;
  int spread;  // size = min + uniform[0, spread)
  constexpr ExtraSize(int avg_size, int fixed_size) : min(0), spread(0) {
    int desired = avg_size - fixed_size;
    int delta = (desired * 2 + 5) / 10;  // round(desired * 0.2)
    min = desired - delta;
    spread = 2 * delta;
  }
  int max() const { return min + spread - 1; }
};
// person: 8 (id) + name 11.5 + email 13 + credit card 19 + city 7.4 + state 2 ~ 61
constexpr ExtraSize kPersonExtra(Generator::kAvgPersonBytes, 61);
// auction: 8 (id) + item name ~11 + description ~51 + 5 numbers * 8 ~ 110
constexpr ExtraSize kAuctionExtra(Generator::kAvgAuctionBytes, 110);
// bid: 4 numbers * 8
constexpr ExtraSize kBidExtra(Generator::kAvgBidBytes, 32);

const char* const kFirstNames[] = {"Peter", "Paul",  "Luke",  "John",   "Saul",  "Vicky",
                                   "Kate",  "Julie", "Sarah", "Deiter", "Walter"};
const char* const kLastNames[] = {"Shultz", "Abrams", "Spencer", "White", "Bartels",
                                  "Walton", "Smith",  "Jones",   "Noris"};
const char* const kCities[] = {"Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland",
                               "Bend",    "Redmond",     "Seattle",       "Kent",  "Cheyenne"};
const char* const kStates[] = {"AZ", "CA", "ID", "OR", "WA", "WY"};
const char* const kHotChannels[] = {"Google", "Facebook", "Baidu", "Apple"};

/// A table of short strings addressed by index, for copying with one memcpy.
struct Words {
  std::vector<std::string_view> items;
  template <size_t N>
  explicit Words(const char* const (&list)[N]) {
    for (const char* s : list) items.emplace_back(s);
  }
};
const Words& first_names() {
  static const Words w(kFirstNames);
  return w;
}
const Words& last_names() {
  static const Words w(kLastNames);
  return w;
}
const Words& cities() {
  static const Words w(kCities);
  return w;
}
const Words& states() {
  static const Words w(kStates);
  return w;
}

/// Writes the rows of one STRING column straight into its heap: reserve the worst case once,
/// then copy/generate bytes in place and close each row with an offset. `max_row_bytes` is the
/// longest row; a row may scribble up to kTextChunk + 8 bytes past its start + length (the
/// 16-byte text chunks), which the final kTextChunk * 2 of slack covers.
class StringFiller {
 public:
  StringFiller(Column* col, size_t rows, size_t max_row_bytes) : col_(col) {
    col->resize(rows);
    offsets_ = col->mutable_offsets();
    offsets_[0] = 0;
    // Generators and copy_short() write whole kTextChunk groups past the end of a row.
    col->heap().reserve(rows * max_row_bytes + 2 * kTextChunk);
    base_ = reinterpret_cast<char*>(col->heap().data());
  }
  ~StringFiller() { col_->heap().resize(pos_); }
  char* cursor() { return base_ + pos_; }
  void end_row(size_t row, size_t len) {
    pos_ += len;
    offsets_[row + 1] = static_cast<int32_t>(pos_);
  }
  /// `s` must be followed by kTextChunk readable bytes (a StringTable entry).
  void append_short_row(size_t row, std::string_view s) {
    copy_short(base_ + pos_, s.data(), s.size());
    end_row(row, s.size());
  }
  void append_row(size_t row, std::string_view s) {
    std::memcpy(base_ + pos_, s.data(), s.size());
    end_row(row, s.size());
  }

 private:
  Column* col_;
  int32_t* offsets_ = nullptr;
  char* base_ = nullptr;
  size_t pos_ = 0;
};

int64_t* int64_values(Column* col, size_t n) {
  col->resize(n);
  return col->values<int64_t>();
}

/// "https://www.nexmark.com/<3-4>/<3-4>/<3-4>/item.htm?query=1" (Beam BidGenerator.getBaseUrl).
std::string base_url(Rng& r) {
  std::string url = "https://www.nexmark.com/";
  char part[kTextChunk];
  for (int i = 0; i < 3; ++i) {
    size_t len = next_string(r, 5, '_', part);
    url.append(part, len);
    url.push_back('/');
  }
  url += "item.htm?query=1";
  return url;
}

/// Java `Math.abs(Integer.reverse(i))`, including abs(Integer.MIN_VALUE) = MIN_VALUE (the
/// channel_id of channel-1 is -2147483648 in nexmark-flink too).
int64_t java_abs_reverse(uint32_t i) {
  uint32_t v = 0;
  for (int b = 0; b < 32; ++b) v |= ((i >> b) & 1u) << (31 - b);
  int64_t s = static_cast<int32_t>(v);
  if (s == INT32_MIN) return s;
  return s < 0 ? -s : s;
}

}  // namespace

const char* event_type_name(EventType type) {
  switch (type) {
    case EventType::kPerson:
      return "person";
    case EventType::kAuction:
      return "auction";
    case EventType::kBid:
      return "bid";
  }
  return "?";
}

SchemaPtr schema_of(EventType type) {
  auto make = [](std::initializer_list<std::pair<const char*, DataType>> cols) {
    std::vector<Field> fields;
    for (const auto& [name, t] : cols) fields.push_back(Field{name, t, false});
    return std::make_shared<const Schema>(std::move(fields));
  };
  const DataType i64 = DataType::int64(), str = DataType::string(), ts = DataType::timestamp();
  static const SchemaPtr kPerson = make({{"id", i64},
                                         {"name", str},
                                         {"email_address", str},
                                         {"credit_card", str},
                                         {"city", str},
                                         {"state", str},
                                         {"date_time", ts},
                                         {"extra", str}});
  static const SchemaPtr kAuction = make({{"id", i64},
                                          {"item_name", str},
                                          {"description", str},
                                          {"initial_bid", i64},
                                          {"reserve", i64},
                                          {"date_time", ts},
                                          {"expires", ts},
                                          {"seller", i64},
                                          {"category", i64},
                                          {"extra", str}});
  static const SchemaPtr kBid = make({{"auction", i64},
                                      {"bidder", i64},
                                      {"price", i64},
                                      {"channel", str},
                                      {"url", str},
                                      {"date_time", ts},
                                      {"extra", str}});
  switch (type) {
    case EventType::kPerson:
      return kPerson;
    case EventType::kAuction:
      return kAuction;
    case EventType::kBid:
      return kBid;
  }
  return kBid;
}

void Generator::StringTable::add(std::string_view s) {
  heap.append(s);
  offsets.push_back(static_cast<int32_t>(heap.size()));
  max_len = std::max(max_len, s.size());
}

Generator::Generator(GeneratorConfig config) : config_(config) {
  if (config_.rate <= 0) throw_user_error("nexmark: rate must be positive, got {}", config_.rate);
  if (config_.out_of_order_group <= 0)
    throw_user_error("nexmark: out_of_order_group must be positive, got {}",
                     config_.out_of_order_group);
  if (1000000 % config_.rate == 0) whole_delay_us_ = 1000000 / config_.rate;
  seed_key_ = mix64(config_.seed * kGolden + 0x6a09e667f3bcc909ULL);
  // Beam caches one (channel, url) per channel number; here they derive from (seed, number).
  for (int i = 0; i < kNumChannels; ++i) {
    Rng r{mix64(seed_key_ ^ (kChannelSalt + static_cast<uint64_t>(i)))};
    std::string url = base_url(r);
    if (r.below(10) > 0) url += "&channel_id=" + std::to_string(java_abs_reverse(i));
    channel_names_.add("channel-" + std::to_string(i));
    channel_urls_.add(url);
  }
  for (int i = 0; i < 4; ++i) {
    Rng r{mix64(seed_key_ ^ (kHotChannelSalt + static_cast<uint64_t>(i)))};
    channel_names_.add(kHotChannels[i]);
    channel_urls_.add(base_url(r));
  }
  // Slack for copy_short(), which reads whole 16-byte chunks.
  channel_names_.heap.append(kTextChunk, '\0');
  channel_urls_.heap.append(kTextChunk, '\0');
}

std::string_view Generator::channel_name(int i) const { return channel_names_.at(i); }
std::string_view Generator::channel_url(int i) const { return channel_urls_.at(i); }

int64_t Generator::event_id(int64_t n) const {
  int64_t g = config_.out_of_order_group;
  if (g == 1) return n;
  int64_t base = n / g * g;
  // A last, partial group is permuted within itself, so ids stay a permutation of 0..events-1.
  if (config_.events >= 0 && base + g > config_.events) g = config_.events - base;
  // 953 is prime: (k * 953) % g permutes 0..g-1 unless g is a multiple of it.
  if (g % 953 == 0) return n;
  return base + ((n - base) * 953) % g;
}

size_t Generator::collect_ids(EventType type, int64_t* next_number, int64_t end_number,
                              int64_t* ids, size_t max) const {
  int64_t lo = 0, hi = 0;
  switch (type) {
    case EventType::kPerson:
      lo = 0, hi = kPersonProportion;
      break;
    case EventType::kAuction:
      lo = kPersonProportion, hi = kPersonProportion + kAuctionProportion;
      break;
    case EventType::kBid:
      lo = kPersonProportion + kAuctionProportion, hi = kTotalProportion;
      break;
  }
  int64_t n = *next_number;
  size_t count = 0;
  if (config_.out_of_order_group == 1) {
    while (n < end_number && count < max) {
      int64_t r = n % kTotalProportion;
      if (r < lo) {
        n += lo - r;
      } else if (r >= hi) {
        n += kTotalProportion - r + lo;
      } else {
        int64_t run =
            std::min<int64_t>({hi - r, end_number - n, static_cast<int64_t>(max - count)});
        for (int64_t k = 0; k < run; ++k) ids[count++] = n++;
      }
    }
  } else {
    while (n < end_number && count < max) {
      int64_t id = event_id(n++);
      if (type_of(id) == type) ids[count++] = id;
    }
  }
  // Skipping other event types may overshoot `end_number`; never move back past the start
  // (a paced reader asks with an end below its next block's start).
  *next_number = std::max(*next_number, std::min(n, end_number));
  return count;
}

void Generator::generate(EventType type, const int64_t* ids, size_t n,
                         const std::vector<int>& projection, std::vector<ColumnPtr>* out) const {
  SchemaPtr schema = schema_of(type);
  // One key per event, shared by every column: key = mix(seed, event id).
  std::unique_ptr<uint64_t[]> keys = std::make_unique_for_overwrite<uint64_t[]>(n);
  for (size_t i = 0; i < n; ++i) keys[i] = mix64(seed_key_ ^ static_cast<uint64_t>(ids[i]));
  auto one = [&](int col) {
    auto c = Column::make(schema->field(col).type);
    switch (type) {
      case EventType::kPerson:
        generate_person(col, ids, keys.get(), n, c.get());
        break;
      case EventType::kAuction:
        generate_auction(col, ids, keys.get(), n, c.get());
        break;
      case EventType::kBid:
        generate_bid(col, ids, keys.get(), n, c.get());
        break;
    }
    out->push_back(std::move(c));
  };
  if (projection.empty()) {
    for (size_t c = 0; c < schema->size(); ++c) one(static_cast<int>(c));
  } else {
    for (int c : projection) {
      if (c < 0 || c >= static_cast<int>(schema->size()))
        throw_internal_error("nexmark: projected column {} out of range", c);
      one(c);
    }
  }
}

void Generator::fill_timestamps(const int64_t* ids, size_t n, Column* out) const {
  int64_t* v = int64_values(out, n);
  for (size_t i = 0; i < n; ++i) v[i] = timestamp_of(ids[i]);
}

void Generator::fill_channels(const uint64_t* keys, size_t n, const StringTable& table,
                              Column* out) const {
  const uint64_t salt = field_salt(EventType::kBid, bid_col::kChannel);
  StringFiller f(out, n, table.max_len);
  for (size_t i = 0; i < n; ++i) {
    Rng r = field_rng(keys[i], salt);
    int idx = r.below(kHotChannelsRatio) > 0 ? kNumChannels + static_cast<int>(r.below(4))
                                             : static_cast<int>(r.below(kNumChannels));
    f.append_short_row(i, table.at(idx));
  }
}

void Generator::generate_person(int col, const int64_t* ids, const uint64_t* keys, size_t n,
                                Column* out) const {
  const uint64_t salt = field_salt(EventType::kPerson, col);
  switch (col) {
    case person_col::kId: {
      int64_t* v = int64_values(out, n);
      for (size_t i = 0; i < n; ++i) v[i] = kFirstPersonId + last_base0_person_id(ids[i]);
      return;
    }
    case person_col::kName: {
      const auto& first = first_names().items;
      const auto& last = last_names().items;
      StringFiller f(out, n, 16);
      for (size_t i = 0; i < n; ++i) {
        Rng r = field_rng(keys[i], salt);
        std::string_view a = first[r.below(first.size())], b = last[r.below(last.size())];
        char* p = f.cursor();
        std::memcpy(p, a.data(), a.size());
        p[a.size()] = ' ';
        std::memcpy(p + a.size() + 1, b.data(), b.size());
        f.end_row(i, a.size() + 1 + b.size());
      }
      return;
    }
    case person_col::kEmailAddress: {
      // nextString(7) + "@" + nextString(5) + ".com"; each part may write 16 bytes.
      StringFiller f(out, n, 6 + 1 + 4 + 4);
      for (size_t i = 0; i < n; ++i) {
        Rng r = field_rng(keys[i], salt);
        char* p = f.cursor();
        size_t len = next_string(r, 7, ' ', p);
        p[len++] = '@';
        len += next_string(r, 5, ' ', p + len);
        std::memcpy(p + len, ".com", 4);
        f.end_row(i, len + 4);
      }
      return;
    }
    case person_col::kCreditCard: {
      StringFiller f(out, n, 19);
      for (size_t i = 0; i < n; ++i) {
        Rng r = field_rng(keys[i], salt);
        char* p = f.cursor();
        for (int g = 0; g < 4; ++g) {
          uint32_t d = static_cast<uint32_t>(r.below(10000));
          char* q = p + g * 5;
          q[0] = static_cast<char>('0' + d / 1000);
          q[1] = static_cast<char>('0' + d / 100 % 10);
          q[2] = static_cast<char>('0' + d / 10 % 10);
          q[3] = static_cast<char>('0' + d % 10);
          if (g < 3) q[4] = ' ';
        }
        f.end_row(i, 19);
      }
      return;
    }
    case person_col::kCity:
    case person_col::kState: {
      const auto& words = col == person_col::kCity ? cities().items : states().items;
      StringFiller f(out, n, 16);
      for (size_t i = 0; i < n; ++i) {
        Rng r = field_rng(keys[i], salt);
        f.append_row(i, words[r.below(words.size())]);
      }
      return;
    }
    case person_col::kDateTime:
      fill_timestamps(ids, n, out);
      return;
    case person_col::kExtra: {
      StringFiller f(out, n, kPersonExtra.max());
      for (size_t i = 0; i < n; ++i) {
        Rng r = field_rng(keys[i], salt);
        size_t len = kPersonExtra.min + r.below(kPersonExtra.spread);
        next_exact_string(r, len, f.cursor());
        f.end_row(i, len);
      }
      return;
    }
  }
  throw_internal_error("nexmark: no person column {}", col);
}

void Generator::generate_auction(int col, const int64_t* ids, const uint64_t* keys, size_t n,
                                 Column* out) const {
  const uint64_t salt = field_salt(EventType::kAuction, col);
  switch (col) {
    case auction_col::kId: {
      int64_t* v = int64_values(out, n);
      for (size_t i = 0; i < n; ++i) v[i] = kFirstAuctionId + last_base0_auction_id(ids[i]);
      return;
    }
    case auction_col::kItemName:
    case auction_col::kDescription: {
      int max_len = col == auction_col::kItemName ? 20 : 100;
      StringFiller f(out, n, max_len);
      for (size_t i = 0; i < n; ++i) {
        Rng r = field_rng(keys[i], salt);
        f.end_row(i, next_string(r, max_len, ' ', f.cursor()));
      }
      return;
    }
    case auction_col::kInitialBid:
    case auction_col::kReserve: {
      // One stream for both: reserve = initial_bid + another price.
      const uint64_t price_salt = field_salt(EventType::kAuction, auction_col::kInitialBid);
      const PriceTable& prices = price_table();
      int64_t* v = int64_values(out, n);
      for (size_t i = 0; i < n; ++i) {
        Rng r = field_rng(keys[i], price_salt);
        int64_t initial = next_price(prices, r);
        v[i] = col == auction_col::kInitialBid ? initial : initial + next_price(prices, r);
      }
      return;
    }
    case auction_col::kDateTime:
      fill_timestamps(ids, n, out);
      return;
    case auction_col::kExpires: {
      // Beam nextAuctionLengthMs: 1 ms + uniform [0, 2 * horizon), horizon = the time until
      // kNumInFlightAuctions more auctions exist; millisecond resolution as in Beam.
      const int64_t events_for_auctions =
          kNumInFlightAuctions * kTotalProportion / kAuctionProportion;
      int64_t* v = int64_values(out, n);
      for (size_t i = 0; i < n; ++i) {
        Rng r = field_rng(keys[i], salt);
        int64_t ts = timestamp_of(ids[i]);
        int64_t horizon_ms = (timestamp_of(ids[i] + events_for_auctions) - ts) / 1000;
        int64_t length_ms = 1 + static_cast<int64_t>(r.below(
                                    static_cast<uint64_t>(std::max<int64_t>(horizon_ms * 2, 1))));
        v[i] = ts + length_ms * 1000;
      }
      return;
    }
    case auction_col::kSeller: {
      int64_t* v = int64_values(out, n);
      for (size_t i = 0; i < n; ++i) {
        Rng r = field_rng(keys[i], salt);
        int64_t seller = r.below(kHotSellersRatio) > 0
                             ? last_base0_person_id(ids[i]) / kHotBlock * kHotBlock
                             : next_base0_person_id(ids[i], r);
        v[i] = kFirstPersonId + seller;
      }
      return;
    }
    case auction_col::kCategory: {
      int64_t* v = int64_values(out, n);
      for (size_t i = 0; i < n; ++i) {
        Rng r = field_rng(keys[i], salt);
        v[i] = kFirstCategoryId + static_cast<int64_t>(r.below(kNumCategories));
      }
      return;
    }
    case auction_col::kExtra: {
      StringFiller f(out, n, kAuctionExtra.max());
      for (size_t i = 0; i < n; ++i) {
        Rng r = field_rng(keys[i], salt);
        size_t len = kAuctionExtra.min + r.below(kAuctionExtra.spread);
        next_exact_string(r, len, f.cursor());
        f.end_row(i, len);
      }
      return;
    }
  }
  throw_internal_error("nexmark: no auction column {}", col);
}

void Generator::generate_bid(int col, const int64_t* ids, const uint64_t* keys, size_t n,
                             Column* out) const {
  const uint64_t salt = field_salt(EventType::kBid, col);
  switch (col) {
    case bid_col::kAuction: {
      int64_t* v = int64_values(out, n);
      for (size_t i = 0; i < n; ++i) {
        Rng r = field_rng(keys[i], salt);
        int64_t auction = r.below(kHotAuctionRatio) > 0
                              ? last_base0_auction_id(ids[i]) / kHotBlock * kHotBlock
                              : next_base0_auction_id(ids[i], r);
        v[i] = kFirstAuctionId + auction;
      }
      return;
    }
    case bid_col::kBidder: {
      // nexmark-flink adds kFirstPersonId a second time after choosing the channel, so its
      // bidders are 1000 above every person id; we add it once, so bidders join with person.id.
      int64_t* v = int64_values(out, n);
      for (size_t i = 0; i < n; ++i) {
        Rng r = field_rng(keys[i], salt);
        int64_t bidder = r.below(kHotBiddersRatio) > 0
                             ? last_base0_person_id(ids[i]) / kHotBlock * kHotBlock + 1
                             : next_base0_person_id(ids[i], r);
        v[i] = kFirstPersonId + bidder;
      }
      return;
    }
    case bid_col::kPrice: {
      const PriceTable& prices = price_table();
      int64_t* v = int64_values(out, n);
      for (size_t i = 0; i < n; ++i) {
        Rng r = field_rng(keys[i], salt);
        v[i] = next_price(prices, r);
      }
      return;
    }
    // channel and url share the channel stream, so they always agree.
    case bid_col::kChannel:
      fill_channels(keys, n, channel_names_, out);
      return;
    case bid_col::kUrl:
      fill_channels(keys, n, channel_urls_, out);
      return;
    case bid_col::kDateTime:
      fill_timestamps(ids, n, out);
      return;
    case bid_col::kExtra: {
      StringFiller f(out, n, kBidExtra.max());
      for (size_t i = 0; i < n; ++i) {
        Rng r = field_rng(keys[i], salt);
        size_t len = kBidExtra.min + r.below(kBidExtra.spread);
        next_exact_string(r, len, f.cursor());
        f.end_row(i, len);
      }
      return;
    }
  }
  throw_internal_error("nexmark: no bid column {}", col);
}

}  // namespace velo::nexmark
