#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "velo/connectors/nexmark/nexmark_generator.h"
#include "velo/connectors/nexmark/nexmark_source.h"
#include "velo/connectors/registry.h"
#include "velo/types/error.h"
#include "velo/types/temporal.h"

namespace velo::nexmark {
namespace {

Options opts(std::initializer_list<std::pair<const char*, const char*>> kv) {
  Options o;
  for (const auto& [k, v] : kv) o.set(k, v);
  return o;
}

struct Rows {
  SchemaPtr schema;
  std::vector<Batch> batches;
  size_t size() const {
    size_t n = 0;
    for (const auto& b : batches) n += b.num_rows;
    return n;
  }
  /// Column `name` of every row, in read order (reader 0 first), as int64.
  std::vector<int64_t> ints(const std::string& name) const {
    int c = schema->find(name);
    EXPECT_GE(c, 0) << name;
    std::vector<int64_t> out;
    for (const auto& b : batches)
      for (size_t i = 0; i < b.num_rows; ++i) out.push_back(b.column(c).value<int64_t>(i));
    return out;
  }
  std::vector<std::string> strings(const std::string& name) const {
    int c = schema->find(name);
    EXPECT_GE(c, 0) << name;
    std::vector<std::string> out;
    for (const auto& b : batches)
      for (size_t i = 0; i < b.num_rows; ++i) out.emplace_back(b.column(c).string_at(i));
    return out;
  }
  /// Every row as text, sorted: a multiset to compare across parallelism.
  std::vector<std::string> sorted_lines() const {
    std::vector<std::string> out;
    for (const auto& b : batches)
      for (size_t i = 0; i < b.num_rows; ++i) {
        std::string line;
        for (size_t c = 0; c < b.columns.size(); ++c)
          line += b.column(c).value_at(i).to_string() + "|";
        out.push_back(std::move(line));
      }
    std::sort(out.begin(), out.end());
    return out;
  }
};

Rows read_all(const std::string& uri, const Options& options, int parallelism = 1,
              ScanSpec spec = {}) {
  NexmarkSource source(uri, options);
  options.check_all_used("nexmark source");
  source.apply(spec);
  Rows rows;
  rows.schema = source.output_schema();
  auto readers = source.open(parallelism);
  auto far = Deadline::clock::now() + std::chrono::hours(1);
  for (auto& r : readers) {
    for (;;) {
      Batch b;
      PollStatus s = r->next(&b, far);
      if (s == PollStatus::kEnd) break;
      EXPECT_EQ(s, PollStatus::kBatch);
      EXPECT_EQ(b.columns.size(), rows.schema->size());
      for (const auto& c : b.columns) EXPECT_EQ(c->size(), b.num_rows);
      rows.batches.push_back(std::move(b));
    }
  }
  EXPECT_EQ(source.progress().rows, static_cast<int64_t>(rows.size()));
  return rows;
}

TEST(NexmarkTest, SchemasUseRisingWaveNames) {
  EXPECT_EQ(schema_of(EventType::kPerson)->to_string(),
            make_nexmark_source("nexmark://people", {})->schema()->to_string());
  auto bid = make_nexmark_source("nexmark://bids", {})->schema();
  ASSERT_EQ(bid->size(), 7u);
  EXPECT_EQ(bid->field(0).name, "auction");
  EXPECT_EQ(bid->field(2).type, DataType::int64());
  EXPECT_EQ(bid->field(4).name, "url");
  EXPECT_EQ(bid->field(5).type, DataType::timestamp());
  auto auction = make_nexmark_source("nexmark://Auction", {})->schema();
  EXPECT_EQ(auction->field(1).name, "item_name");
  EXPECT_EQ(auction->field(6).name, "expires");
  auto person = make_nexmark_source("nexmark://persons", {})->schema();
  EXPECT_EQ(person->field(2).name, "email_address");
  EXPECT_EQ(person->field(3).name, "credit_card");
  EXPECT_EQ(make_nexmark_source("nexmark://", opts({{"table", "bid"}}))->schema()->size(), 7u);
}

TEST(NexmarkTest, RejectsBadUrisAndOptions) {
  EXPECT_THROW(make_nexmark_source("nexmark://bidz", {}), Error);
  EXPECT_THROW(make_nexmark_source("nexmark://", {}), Error);
  EXPECT_THROW(make_nexmark_source("nexmark://bid", opts({{"rate", "0"}})), Error);
  EXPECT_THROW(make_nexmark_source("nexmark://bid", opts({{"events", "-5"}})), Error);
  EXPECT_THROW(make_nexmark_source("nexmark://bid", opts({{"base_time", "yesterday"}})), Error);
  try {
    make_nexmark_source("nexmark://bid", opts({{"events", "10"}, {"evnets", "10"}}));
    ADD_FAILURE() << "unknown option accepted";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("did you mean 'events'"), std::string::npos) << e.message();
  }
}

TEST(NexmarkTest, RegisteredAsConnector) {
  register_nexmark_connector();
  auto s = make_source("nexmark://auction", opts({{"events", "100"}}));
  EXPECT_EQ(s->schema()->field(0).name, "id");
  EXPECT_TRUE(s->capabilities().bounded);
  EXPECT_TRUE(s->capabilities().projection_pushdown);
  EXPECT_FALSE(make_source("nexmark://auction", {})->capabilities().bounded);
  EXPECT_EQ(s->event_time().column, "date_time");
  EXPECT_EQ(s->event_time().max_out_of_orderness, 4 * temporal::kMicrosPerSecond);
}

TEST(NexmarkTest, EventMixAndIdRanges) {
  const Options o = opts({{"events", "50000"}});
  Rows persons = read_all("nexmark://person", o);
  Rows auctions = read_all("nexmark://auction", o);
  Rows bids = read_all("nexmark://bid", o);
  EXPECT_EQ(persons.size(), 1000u);   // 2 %
  EXPECT_EQ(auctions.size(), 3000u);  // 6 %
  EXPECT_EQ(bids.size(), 46000u);     // 92 %
  // Ids start at 1000 and are consecutive in event order.
  auto pid = persons.ints("id");
  for (size_t i = 0; i < pid.size(); ++i) ASSERT_EQ(pid[i], 1000 + static_cast<int64_t>(i));
  auto aid = auctions.ints("id");
  for (size_t i = 0; i < aid.size(); ++i) ASSERT_EQ(aid[i], 1000 + static_cast<int64_t>(i));
  // Categories 10..14, all used.
  std::map<int64_t, int> cats;
  for (int64_t c : auctions.ints("category")) cats[c]++;
  ASSERT_EQ(cats.size(), 5u);
  EXPECT_EQ(cats.begin()->first, 10);
  EXPECT_EQ(cats.rbegin()->first, 14);
  for (auto [c, n] : cats) EXPECT_NEAR(n, 600, 120) << c;
}

TEST(NexmarkTest, TimestampsFollowEventNumbers) {
  Rows bids = read_all("nexmark://bid", opts({{"events", "1000"}}));
  auto ts = bids.ints("date_time");
  const int64_t base = kDefaultBaseTime;
  // Event 4 is the first bid: 4 * 100 µs after 2015-07-15 00:00:00.
  EXPECT_EQ(ts.front(), base + 400);
  EXPECT_EQ(temporal::format_timestamp(ts.front()), "2015-07-15 00:00:00.0004");
  for (size_t i = 1; i < ts.size(); ++i) ASSERT_GT(ts[i], ts[i - 1]);
  EXPECT_EQ(ts.back(), base + 999 * 100);

  Rows persons =
      read_all("nexmark://person",
               opts({{"events", "1000"}, {"rate", "1000"}, {"base_time", "2020-01-01 00:00:00"}}));
  auto pts = persons.ints("date_time");
  int64_t b2020 = 0;
  ASSERT_TRUE(temporal::parse_timestamp("2020-01-01 00:00:00", &b2020));
  for (size_t i = 0; i < pts.size(); ++i) ASSERT_EQ(pts[i], b2020 + int64_t(i) * 50 * 1000);
  // Non-integral delays: 3 events/s -> floor(n * 333333.33 µs).
  Rows odd = read_all("nexmark://person", opts({{"events", "200"}, {"rate", "3"}}));
  EXPECT_EQ(odd.ints("date_time")[1], base + 50 * 1000000 / 3);
}

TEST(NexmarkTest, DeterministicAcrossRunsAndParallelism) {
  for (const char* uri : {"nexmark://bid", "nexmark://auction", "nexmark://person"}) {
    const Options o = opts({{"events", "60013"}, {"seed", "7"}});
    Rows one = read_all(uri, o, 1);
    Rows again = read_all(uri, o, 1);
    Rows three = read_all(uri, o, 3);
    Rows five =
        read_all(uri, opts({{"events", "60013"}, {"seed", "7"}, {"batch_size", "1000"}}), 5);
    auto l1 = one.sorted_lines();
    EXPECT_EQ(l1, again.sorted_lines()) << uri;
    EXPECT_EQ(l1, three.sorted_lines()) << uri;
    EXPECT_EQ(l1, five.sorted_lines()) << uri;
    Rows other_seed = read_all(uri, opts({{"events", "60013"}, {"seed", "8"}}), 1);
    EXPECT_NE(l1, other_seed.sorted_lines()) << uri;
  }
}

TEST(NexmarkTest, PacedParallelReadersProduceEachEventOnce) {
  // Regression: a paced reader asking for events below its next block's start moved back into
  // the previous block and produced it again.
  const Options paced = opts({{"events", "16400"}, {"rate", "400000"}, {"pace", "true"}});
  Rows two = read_all("nexmark://bid", paced, 2);
  Rows plain = read_all("nexmark://bid", opts({{"events", "16400"}, {"rate", "400000"}}), 1);
  EXPECT_EQ(two.sorted_lines(), plain.sorted_lines());
}

TEST(NexmarkTest, ResumesFromReaderPositions) {
  const Options o = opts({{"events", "30000"}, {"batch_size", "700"}});
  Rows all = read_all("nexmark://bid", o, 1);
  // Two readers read three batches each, then "crash"; a new source resumes at their positions.
  NexmarkSource first("nexmark://bid", o);
  Rows got;
  got.schema = first.output_schema();
  auto far = Deadline::clock::now() + std::chrono::hours(1);
  std::vector<std::string> positions;
  for (auto& r : first.open(2)) {
    for (int k = 0; k < 3; ++k) {
      Batch b;
      ASSERT_EQ(r->next(&b, far), PollStatus::kBatch);
      got.batches.push_back(std::move(b));
    }
    positions.push_back(r->position());
  }
  NexmarkSource second("nexmark://bid", o);
  second.restore(positions);
  for (auto& r : second.open(2)) {
    Batch b;
    while (r->next(&b, far) == PollStatus::kBatch) got.batches.push_back(std::move(b));
  }
  EXPECT_EQ(got.sorted_lines(), all.sorted_lines()) << "nothing lost, nothing twice";
  NexmarkSource wrong("nexmark://bid", o);
  wrong.restore(positions);
  EXPECT_THROW(wrong.open(3), Error);  // the positions belong to two readers
}

TEST(NexmarkTest, ParallelReadersInterleaveBlocks) {
  NexmarkSource source("nexmark://bid", opts({{"events", "100000"}}));
  auto readers = source.open(3);
  ASSERT_EQ(readers.size(), 3u);
  auto far = Deadline::clock::now() + std::chrono::hours(1);
  // The first batch of each reader starts in its own block of 4100 events.
  for (int i = 0; i < 3; ++i) {
    Batch b;
    ASSERT_EQ(readers[i]->next(&b, far), PollStatus::kBatch);
    int64_t first_ts = b.column(5).value<int64_t>(0);
    EXPECT_EQ((first_ts - kDefaultBaseTime) / 100, i * source.block_events() + 4);
  }
  // A tiny run gets only as many readers as blocks.
  NexmarkSource small("nexmark://bid", opts({{"events", "100"}}));
  EXPECT_EQ(small.open(4).size(), 1u);
}

TEST(NexmarkTest, BidsReferenceExistingAuctionsAndPeople) {
  const Options o = opts({{"events", "200000"}});
  Rows bids = read_all("nexmark://bid", o);
  Rows auctions = read_all("nexmark://auction", o);
  Rows persons = read_all("nexmark://person", o);
  std::set<int64_t> auction_ids, person_ids;
  for (int64_t id : auctions.ints("id")) auction_ids.insert(id);
  for (int64_t id : persons.ints("id")) person_ids.insert(id);
  auto ts = bids.ints("date_time");
  auto auction = bids.ints("auction");
  auto bidder = bids.ints("bidder");
  size_t hot_auction = 0, known_auction = 0, known_bidder = 0;
  for (size_t i = 0; i < auction.size(); ++i) {
    int64_t event_id = (ts[i] - kDefaultBaseTime) / 100;
    int64_t last_auction = 1000 + Generator::last_base0_auction_id(event_id);
    int64_t last_person = 1000 + Generator::last_base0_person_id(event_id);
    ASSERT_GE(auction[i], 1000);
    ASSERT_LE(auction[i], last_auction + 10);  // the +10 lookahead
    ASSERT_GE(auction[i], std::min(last_auction - 100, (last_auction / 100) * 100));
    ASSERT_GE(bidder[i], 1000);  // person-id offset added once (nexmark-flink adds it twice)
    ASSERT_LE(bidder[i], last_person + 10);
    known_auction += auction_ids.count(auction[i]);
    known_bidder += person_ids.count(bidder[i]);
    hot_auction += (auction[i] - 1000) % 100 == 0;
  }
  // Only the lookahead at the very end may name an auction/person that never appears.
  EXPECT_GE(known_auction, auction.size() - 200);
  EXPECT_GE(known_bidder, bidder.size() - 200);
  // Half the bids go to a hot auction (plus the few random picks that hit a multiple of 100).
  EXPECT_NEAR(double(hot_auction) / auction.size(), 0.5, 0.03);
  // Sellers are people too.
  auto seller = auctions.ints("seller");
  for (int64_t s : seller) {
    ASSERT_GE(s, 1000);
    ASSERT_LE(s, 1000 + static_cast<int64_t>(person_ids.size()) + 10);
  }
}

TEST(NexmarkTest, PricesAreLogUniform) {
  Rows bids = read_all("nexmark://bid", opts({{"events", "100000"}}));
  auto price = bids.ints("price");
  size_t below_1e5 = 0;
  for (int64_t p : price) {
    ASSERT_GE(p, 100);
    ASSERT_LE(p, 100000000);
    below_1e5 += p < 100000;
  }
  EXPECT_NEAR(double(below_1e5) / price.size(), 0.5, 0.02);  // 10^(u*6)*100 < 1e5 iff u < .5
  Rows auctions = read_all("nexmark://auction", opts({{"events", "100000"}}));
  auto initial = auctions.ints("initial_bid");
  auto reserve = auctions.ints("reserve");
  for (size_t i = 0; i < initial.size(); ++i) {
    ASSERT_GE(initial[i], 100);
    ASSERT_GE(reserve[i], initial[i] + 100);
  }
  auto dt = auctions.ints("date_time");
  auto expires = auctions.ints("expires");
  for (size_t i = 0; i < dt.size(); ++i) {
    ASSERT_GT(expires[i], dt[i]);
    // horizon at 10000 events/s: 1666 events = 166 ms; lengths up to 2 * 166 ms + 1 ms.
    ASSERT_LE(expires[i] - dt[i], 333 * 1000);
  }
}

TEST(NexmarkTest, ProjectionProducesSameValues) {
  const Options o = opts({{"events", "30000"}});
  Rows all = read_all("nexmark://bid", o);
  ScanSpec spec;
  spec.projection = {2, 0};  // price, auction
  Rows some = read_all("nexmark://bid", o, 1, spec);
  ASSERT_EQ(some.schema->size(), 2u);
  EXPECT_EQ(some.schema->field(0).name, "price");
  EXPECT_EQ(some.schema->field(1).name, "auction");
  EXPECT_EQ(some.ints("price"), all.ints("price"));
  EXPECT_EQ(some.ints("auction"), all.ints("auction"));
  spec.projection = {4};
  EXPECT_EQ(read_all("nexmark://bid", o, 2, spec).strings("url").size(), all.size());
  Rows urls = read_all("nexmark://bid", o, 1, spec);
  EXPECT_EQ(urls.strings("url"), all.strings("url"));

  Rows persons = read_all("nexmark://person", o);
  spec.projection = {7, 1};  // extra, name
  Rows pp = read_all("nexmark://person", o, 1, spec);
  EXPECT_EQ(pp.strings("name"), persons.strings("name"));
  EXPECT_EQ(pp.strings("extra"), persons.strings("extra"));

  NexmarkSource s("nexmark://bid", opts({{"events", "10000000"}}));
  spec.projection = {0, 2};
  s.apply(spec);
  EXPECT_EQ(s.describe(), "nexmark bid events=10000000 seed=0 columns=[auction, price]");
}

TEST(NexmarkTest, StringsLookLikeNexmark) {
  const Options o = opts({{"events", "50000"}});
  Rows persons = read_all("nexmark://person", o);
  std::set<std::string> states, cities;
  double person_bytes = 0;
  auto names = persons.strings("name"), emails = persons.strings("email_address"),
       cards = persons.strings("credit_card"), city = persons.strings("city"),
       state = persons.strings("state"), extra = persons.strings("extra");
  for (size_t i = 0; i < names.size(); ++i) {
    ASSERT_NE(names[i].find(' '), std::string::npos);
    ASSERT_NE(emails[i].find('@'), std::string::npos);
    ASSERT_EQ(emails[i].substr(emails[i].size() - 4), ".com");
    ASSERT_EQ(cards[i].size(), 19u);
    ASSERT_EQ(cards[i][4], ' ');
    states.insert(state[i]);
    cities.insert(city[i]);
    person_bytes += 8 + names[i].size() + emails[i].size() + cards[i].size() + city[i].size() +
                    state[i].size() + extra[i].size();
  }
  EXPECT_EQ(states, (std::set<std::string>{"AZ", "CA", "ID", "OR", "WA", "WY"}));
  EXPECT_EQ(cities.size(), 10u);
  EXPECT_NEAR(person_bytes / names.size(), 200, 5);

  Rows auctions = read_all("nexmark://auction", o);
  double auction_bytes = 0;
  auto item = auctions.strings("item_name"), desc = auctions.strings("description"),
       aextra = auctions.strings("extra");
  for (size_t i = 0; i < item.size(); ++i) {
    ASSERT_LE(item[i].size(), 19u);
    ASSERT_LE(desc[i].size(), 99u);
    auction_bytes += 8 + item[i].size() + desc[i].size() + 40 + aextra[i].size();
  }
  EXPECT_NEAR(auction_bytes / item.size(), 500, 10);

  Rows bids = read_all("nexmark://bid", o);
  double bid_bytes = 0;
  for (const auto& e : bids.strings("extra")) {
    ASSERT_GE(e.size(), 54u);
    ASSERT_LE(e.size(), 81u);
    ASSERT_TRUE(std::all_of(e.begin(), e.end(), [](char c) { return c >= 'a' && c <= 'z'; }));
    bid_bytes += 32 + e.size();
  }
  EXPECT_NEAR(bid_bytes / bids.size(), 100, 2);
}

int64_t java_abs_reverse(uint32_t i) {
  uint32_t v = 0;
  for (int b = 0; b < 32; ++b)
    if (i & (1u << b)) v |= 1u << (31 - b);
  int32_t s = static_cast<int32_t>(v);
  return s == INT32_MIN ? s : (s < 0 ? -int64_t{s} : s);
}

TEST(NexmarkTest, ChannelsAndUrls) {
  Rows bids = read_all("nexmark://bid", opts({{"events", "100000"}}));
  auto channel = bids.strings("channel");
  auto url = bids.strings("url");
  const std::set<std::string> hot = {"Google", "Facebook", "Baidu", "Apple"};
  size_t hot_count = 0, other = 0, with_id = 0;
  std::map<std::string, std::string> url_of;
  for (size_t i = 0; i < channel.size(); ++i) {
    ASSERT_EQ(url[i].rfind("https://www.nexmark.com/", 0), 0u) << url[i];
    ASSERT_NE(url[i].find("/item.htm?query=1"), std::string::npos) << url[i];
    // A channel always has the same URL.
    auto [it, fresh] = url_of.emplace(channel[i], url[i]);
    ASSERT_EQ(it->second, url[i]);
    if (hot.count(channel[i])) {
      ++hot_count;
      ASSERT_EQ(url[i].find("channel_id="), std::string::npos);
      continue;
    }
    ASSERT_EQ(channel[i].rfind("channel-", 0), 0u);
    ++other;
    // q21: REGEXP_EXTRACT(url, '(&|^)channel_id=([^&]*)', 2)
    size_t p = url[i].find("&channel_id=");
    if (p == std::string::npos) continue;
    ++with_id;
    uint32_t number = static_cast<uint32_t>(std::stoul(channel[i].substr(8)));
    ASSERT_EQ(url[i].substr(p + 12), std::to_string(java_abs_reverse(number)));
  }
  EXPECT_NEAR(double(hot_count) / channel.size(), 0.5, 0.02);
  EXPECT_NEAR(double(with_id) / other, 0.9, 0.02);
  // URL path pieces (q22's dir1..dir3) are 3-4 characters of letters and '_'.
  std::string u = url[0].substr(24);
  EXPECT_EQ(std::count(u.begin(), u.end(), '/'), 3);
}

TEST(NexmarkTest, BoundedEndAndLimit) {
  NexmarkSource source("nexmark://bid", opts({{"events", "100"}, {"batch_size", "50"}}));
  auto readers = source.open(1);
  auto far = Deadline::clock::now() + std::chrono::hours(1);
  Batch b;
  ASSERT_EQ(readers[0]->next(&b, far), PollStatus::kBatch);
  EXPECT_EQ(b.num_rows, 50u);
  ASSERT_EQ(readers[0]->next(&b, far), PollStatus::kBatch);
  EXPECT_EQ(b.num_rows, 42u);  // 92 bids in 100 events
  EXPECT_EQ(readers[0]->next(&b, far), PollStatus::kEnd);
  EXPECT_EQ(readers[0]->next(&b, far), PollStatus::kEnd);

  ScanSpec spec;
  spec.limit = 10;
  EXPECT_EQ(read_all("nexmark://bid", opts({}), 2, spec).size(), 20u);  // per reader
  EXPECT_EQ(read_all("nexmark://person", opts({{"events", "0"}})).size(), 0u);
  // Unbounded keeps going.
  NexmarkSource forever("nexmark://person", opts({{"batch_size", "100"}}));
  auto r = forever.open(1);
  for (int i = 0; i < 20; ++i) ASSERT_EQ(r[0]->next(&b, far), PollStatus::kBatch);
  EXPECT_EQ(forever.progress().rows, 2000);
}

TEST(NexmarkTest, OutOfOrderGroupsPermuteEvents) {
  const Options in_order = opts({{"events", "20000"}});
  const Options shuffled = opts({{"events", "20000"}, {"out_of_order_group", "64"}});
  Rows a = read_all("nexmark://bid", in_order);
  Rows b = read_all("nexmark://bid", shuffled, 1);
  Rows c = read_all("nexmark://bid", shuffled, 3);
  EXPECT_EQ(a.sorted_lines(), b.sorted_lines());  // same events, other order
  EXPECT_EQ(b.sorted_lines(), c.sorted_lines());
  auto ts = b.ints("date_time");
  size_t inversions = 0;
  for (size_t i = 1; i < ts.size(); ++i) {
    inversions += ts[i] < ts[i - 1];
    // Disorder stays within a group of 64 events (6.4 ms).
    ASSERT_LT(ts[i - 1] - ts[i], 64 * 100);
  }
  EXPECT_GT(inversions, 100u);
  // A last partial group stays within the event range.
  Rows d = read_all("nexmark://person", opts({{"events", "1030"}, {"out_of_order_group", "100"}}));
  EXPECT_EQ(d.size(), 21u);
  for (int64_t t : d.ints("date_time")) ASSERT_LT(t, kDefaultBaseTime + 1030 * 100);
}

TEST(NexmarkTest, PacedReadersFollowTheWallClock) {
  // 300 events at 10000 events/s take 30 ms of wall-clock time.
  NexmarkSource source("nexmark://bid",
                       opts({{"events", "300"}, {"pace", "true"}, {"batch_size", "4096"}}));
  auto readers = source.open(1);
  auto t0 = std::chrono::steady_clock::now();
  size_t rows = 0, polls = 0;
  Batch b;
  for (;;) {
    PollStatus s =
        readers[0]->next(&b, std::chrono::steady_clock::now() + std::chrono::milliseconds(5));
    if (s == PollStatus::kEnd) break;
    ++polls;
    if (s == PollStatus::kBatch) rows += b.num_rows;
  }
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  EXPECT_EQ(rows, 276u);
  EXPECT_GE(ms, 25);
  EXPECT_GT(polls, 3u);  // several small batches, not one
}

}  // namespace
}  // namespace velo::nexmark
