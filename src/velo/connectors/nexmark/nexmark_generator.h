#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "velo/batch/column.h"
#include "velo/types/data_type.h"

namespace velo::nexmark {

/// The three Nexmark entities; the numbers are the `event_type` discriminator of the combined
/// stream (0 = person, 1 = auction, 2 = bid).
enum class EventType : uint8_t { kPerson = 0, kAuction = 1, kBid = 2 };

const char* event_type_name(EventType type);

/// Column indexes of the entity schemas (RisingWave snake_case names, see schema_of()).
namespace person_col {
enum : int { kId, kName, kEmailAddress, kCreditCard, kCity, kState, kDateTime, kExtra, kCount };
}
namespace auction_col {
enum : int {
  kId,
  kItemName,
  kDescription,
  kInitialBid,
  kReserve,
  kDateTime,
  kExpires,
  kSeller,
  kCategory,
  kExtra,
  kCount
};
}
namespace bid_col {
enum : int { kAuction, kBidder, kPrice, kChannel, kUrl, kDateTime, kExtra, kCount };
}

/// person(id BIGINT, name, email_address, credit_card, city, state VARCHAR, date_time TIMESTAMP,
/// extra VARCHAR), auction(id, item_name, description, initial_bid, reserve, date_time, expires,
/// seller, category, extra), bid(auction, bidder, price, channel, url, date_time, extra).
SchemaPtr schema_of(EventType type);

/// 2015-07-15 00:00:00 UTC, the day of RisingWave's fixed Nexmark data.
constexpr int64_t kDefaultBaseTime = 1436918400LL * 1000000;

/// Parameters of the generator (Apache Beam / nexmark-flink `GeneratorConfig` defaults).
struct GeneratorConfig {
  uint64_t seed = 0;
  /// Event time of event number 0, TIMESTAMP µs.
  int64_t base_time = kDefaultBaseTime;
  /// Events per second of the combined stream: event n has time base_time + n * 1e6 / rate µs.
  int64_t rate = 10000;
  /// Events inside a group of this many are permuted with (n * 953) % group (1 = in order).
  int64_t out_of_order_group = 1;
  /// Total events (-1 = unbounded); only used to shrink the last out-of-order group so that
  /// the event ids stay a permutation of 0..events-1.
  int64_t events = -1;
};

/// Deterministic, splittable Nexmark event generator.
///
/// Every event is a pure function of (seed, event id): its fields draw from small splitmix64
/// streams keyed by the event id (as Beam seeds java.util.Random with the event id), one stream
/// per field, so any reader generates any range of event numbers independently, results do not
/// depend on parallelism, and a field's value does not depend on which other columns are
/// projected. Ids referenced by bids and auctions (seller, bidder, auction) are computed
/// arithmetically from the event id (Beam's lastBase0PersonId / lastBase0AuctionId), so they match
/// what the person and auction streams generate.
///
/// Columns are written straight into column buffers for a whole batch: no per-row allocation,
/// no virtual call. Immutable after construction: share one instance between reader threads.
class Generator {
 public:
  explicit Generator(GeneratorConfig config);

  const GeneratorConfig& config() const { return config_; }

  /// The event id of event number `n` (a permutation within out-of-order groups; = n in order).
  int64_t event_id(int64_t event_number) const;
  static EventType type_of(int64_t event_id) {
    int64_t r = event_id % kTotalProportion;
    return r < kPersonProportion                        ? EventType::kPerson
           : r < kPersonProportion + kAuctionProportion ? EventType::kAuction
                                                        : EventType::kBid;
  }
  /// Event time of an event id, TIMESTAMP µs.
  int64_t timestamp_of(int64_t event_id) const {
    if (whole_delay_us_ > 0) return config_.base_time + event_id * whole_delay_us_;
    return config_.base_time +
           static_cast<int64_t>(static_cast<__int128>(event_id) * 1000000 / config_.rate);
  }

  /// Scans event numbers [*next_number, end_number) and stores the ids of events of `type` into
  /// `ids` until `max` are found; advances *next_number past the last event scanned. Returns the
  /// count. In order, it jumps straight from one event of the type to the next.
  size_t collect_ids(EventType type, int64_t* next_number, int64_t end_number, int64_t* ids,
                     size_t max) const;

  /// Builds the columns `projection` (column indexes of schema_of(type); empty = all) for the
  /// events `ids[0..n)`, which must all be of `type`. Appends one column per projected index to
  /// `out`.
  void generate(EventType type, const int64_t* ids, size_t n, const std::vector<int>& projection,
                std::vector<ColumnPtr>* out) const;

  // ---- the model (Beam GeneratorConfig, PersonGenerator, AuctionGenerator, BidGenerator) ----
  static constexpr int64_t kPersonProportion = 1;
  static constexpr int64_t kAuctionProportion = 3;
  static constexpr int64_t kBidProportion = 46;
  static constexpr int64_t kTotalProportion = 50;
  static constexpr int64_t kFirstPersonId = 1000;
  static constexpr int64_t kFirstAuctionId = 1000;
  static constexpr int64_t kFirstCategoryId = 10;
  static constexpr int64_t kNumCategories = 5;
  static constexpr int64_t kNumActivePeople = 1000;
  static constexpr int64_t kNumInFlightAuctions = 100;
  static constexpr int64_t kPersonIdLead = 10;
  static constexpr int64_t kAuctionIdLead = 10;
  static constexpr int kHotSellersRatio = 4;
  static constexpr int kHotAuctionRatio = 2;
  static constexpr int kHotBiddersRatio = 4;
  /// Hot ids are the first of the latest block of this many ids.
  static constexpr int64_t kHotBlock = 100;
  static constexpr int kHotChannelsRatio = 2;
  static constexpr int kNumChannels = 10000;
  static constexpr int kAvgPersonBytes = 200;
  static constexpr int kAvgAuctionBytes = 500;
  static constexpr int kAvgBidBytes = 100;

  /// Id of the last person created at or before event id `event_id` (0-based, no 1000 offset).
  static int64_t last_base0_person_id(int64_t event_id) {
    int64_t epoch = event_id / kTotalProportion;
    int64_t offset = event_id % kTotalProportion;
    if (offset >= kPersonProportion) offset = kPersonProportion - 1;
    return epoch * kPersonProportion + offset;
  }
  /// Id of the last auction created at or before `event_id` (0-based; -1 before the first one).
  static int64_t last_base0_auction_id(int64_t event_id) {
    int64_t epoch = event_id / kTotalProportion;
    int64_t offset = event_id % kTotalProportion;
    if (offset < kPersonProportion) {
      --epoch;
      offset = kAuctionProportion - 1;
    } else if (offset >= kPersonProportion + kAuctionProportion) {
      offset = kAuctionProportion - 1;
    } else {
      offset -= kPersonProportion;
    }
    return epoch * kAuctionProportion + offset;
  }

  /// The channel table: index 0..9999 = `channel-<i>`, 10000..10003 = the hot channels.
  std::string_view channel_name(int i) const;
  std::string_view channel_url(int i) const;

 private:
  struct StringTable {
    std::string heap;
    std::vector<int32_t> offsets{0};
    size_t max_len = 0;
    void add(std::string_view s);
    std::string_view at(int i) const {
      return std::string_view(heap).substr(offsets[i], offsets[i + 1] - offsets[i]);
    }
  };

  void generate_person(int col, const int64_t* ids, const uint64_t* keys, size_t n,
                       Column* out) const;
  void generate_auction(int col, const int64_t* ids, const uint64_t* keys, size_t n,
                        Column* out) const;
  void generate_bid(int col, const int64_t* ids, const uint64_t* keys, size_t n, Column* out) const;
  void fill_timestamps(const int64_t* ids, size_t n, Column* out) const;
  void fill_channels(const uint64_t* keys, size_t n, const StringTable& table, Column* out) const;

  GeneratorConfig config_;
  int64_t whole_delay_us_ = 0;  // 1e6 / rate when that is a whole number, else 0
  uint64_t seed_key_;
  StringTable channel_names_;
  StringTable channel_urls_;
};

}  // namespace velo::nexmark
