#include "velo/connectors/nexmark/nexmark_source.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdio>
#include <thread>

#include "velo/connectors/registry.h"
#include "velo/types/error.h"
#include "velo/types/temporal.h"

namespace velo::nexmark {

namespace {

using Clock = std::chrono::steady_clock;

/// Blocks of 82 epochs of 50 events: 3772 bids, 246 auctions, 82 persons each.
constexpr int64_t kBlockEvents = 82 * Generator::kTotalProportion;

EventType parse_table(std::string name, const std::string& uri) {
  name = Options::lower(std::move(name));
  while (!name.empty() && name.back() == '/') name.pop_back();
  if (name == "bid" || name == "bids") return EventType::kBid;
  if (name == "auction" || name == "auctions") return EventType::kAuction;
  if (name == "person" || name == "persons" || name == "people") return EventType::kPerson;
  if (name.empty())
    throw_user_error(
        "'{}': say which Nexmark table: nexmark://bid, nexmark://auction or "
        "nexmark://person",
        uri);
  throw_user_error("'{}': unknown Nexmark table '{}' (bid, auction or person)", uri, name);
}

/// One share of the event numbers: blocks index, index + readers, index + 2 * readers, ...
class NexmarkReader : public SourceReader {
 public:
  struct Params {
    std::shared_ptr<const Generator> generator;
    EventType type;
    std::vector<int> projection;
    SchemaPtr schema;
    int64_t block_events;
    int64_t end_number;  // INT64_MAX = unbounded
    int index;
    int readers;
    size_t batch_size;
    int64_t limit;  // rows, -1 = none
    bool pace;
    Clock::time_point start;
    std::shared_ptr<std::atomic<int64_t>> rows;
  };
  struct Resume {
    int64_t next_number = 0;
    int64_t emitted = 0;
    bool done = false;
  };

  NexmarkReader(Params p, const Resume* resume) : p_(std::move(p)), ids_(p_.batch_size) {
    block_start_ = static_cast<int64_t>(p_.index) * p_.block_events;
    next_number_ = block_start_;
    done_ = block_start_ >= p_.end_number || p_.limit == 0;
    if (resume) {
      next_number_ = resume->next_number;
      block_start_ = next_number_ - next_number_ % p_.block_events;
      emitted_ = resume->emitted;
      done_ = resume->done || done_;
    }
  }

  std::string position() const override {
    return fmt::format("{}:{}:{}:{}", p_.readers, next_number_, emitted_, done_ ? 1 : 0);
  }

  /// A position this reader (index of `readers`) can resume from.
  static Resume parse_position(const std::string& text, int readers) {
    long long r = 0, next = 0, emitted = 0;
    int done = 0;
    char tail = 0;
    if (std::sscanf(text.c_str(), "%lld:%lld:%lld:%d%c", &r, &next, &emitted, &done, &tail) != 4 ||
        next < 0 || emitted < 0)
      throw_format_error("nexmark: bad checkpoint position '{}'", text);
    if (r != readers)
      throw_user_error(
          "nexmark: the checkpoint was taken with {} readers, this run has {}; resume with the "
          "same --threads",
          r, readers);
    return Resume{next, emitted, done != 0};
  }

  PollStatus next(Batch* out, Deadline deadline) override {
    for (;;) {
      if (done_) return PollStatus::kEnd;
      int64_t due = INT64_MAX;  // event numbers below `due` may be produced now
      if (p_.pace) {
        due = due_events(Clock::now());
        if (next_number_ >= due) {
          Clock::time_point at = wall_time_of(next_number_);
          if (at > deadline) {
            std::this_thread::sleep_until(deadline);
            return PollStatus::kNothingYet;
          }
          std::this_thread::sleep_until(at);
          due = std::max(due_events(Clock::now()), next_number_ + 1);
        }
      }
      size_t n = collect(due);
      if (n > 0) {
        std::vector<ColumnPtr> cols;
        cols.reserve(p_.projection.empty() ? p_.schema->size() : p_.projection.size());
        p_.generator->generate(p_.type, ids_.data(), n, p_.projection, &cols);
        *out = Batch(p_.schema, std::move(cols), n);
        p_.rows->fetch_add(static_cast<int64_t>(n), std::memory_order_relaxed);
        return PollStatus::kBatch;
      }
      // Paced and no event of this type was due yet: wait for the next event number.
    }
  }

 private:
  /// Collects into ids_ the ids of up to a batch of events of the type among the event numbers
  /// below `due`, moving on to this reader's next block when one is done.
  size_t collect(int64_t due) {
    size_t want = p_.batch_size;
    if (p_.limit >= 0) want = std::min<int64_t>(want, p_.limit - emitted_);
    size_t n = 0;
    while (n < want && !done_) {
      int64_t block_end = std::min(block_start_ + p_.block_events, p_.end_number);
      int64_t scan_end = std::min(block_end, due);
      n += p_.generator->collect_ids(p_.type, &next_number_, scan_end, ids_.data() + n, want - n);
      if (next_number_ >= block_end) {
        // Next block of this reader; guard the unbounded end against overflow.
        int64_t stride = p_.block_events * p_.readers;
        if (block_start_ > p_.end_number - stride) {
          done_ = true;
        } else {
          block_start_ += stride;
          next_number_ = block_start_;
          done_ = block_start_ >= p_.end_number;
        }
      } else if (next_number_ >= scan_end) {
        break;  // paced: the rest is not due yet
      }
    }
    emitted_ += static_cast<int64_t>(n);
    if (p_.limit >= 0 && emitted_ >= p_.limit) done_ = true;
    return n;
  }

  int64_t due_events(Clock::time_point now) const {
    int64_t us = std::chrono::duration_cast<std::chrono::microseconds>(now - p_.start).count();
    return static_cast<int64_t>(static_cast<__int128>(us) * p_.generator->config().rate / 1000000) +
           1;
  }
  Clock::time_point wall_time_of(int64_t number) const {
    int64_t us =
        static_cast<int64_t>(static_cast<__int128>(number) * 1000000 / p_.generator->config().rate);
    return p_.start + std::chrono::microseconds(us);
  }

  Params p_;
  std::vector<int64_t> ids_;
  int64_t block_start_ = 0;
  int64_t next_number_ = 0;
  int64_t emitted_ = 0;
  bool done_ = false;
};

}  // namespace

NexmarkSource::NexmarkSource(const std::string& uri, const Options& options) {
  std::string rest = uri;
  if (auto p = rest.find("://"); p != std::string::npos) rest = rest.substr(p + 3);
  if (rest.empty() || rest == "/") rest = options.get_string("table", "");
  type_ = parse_table(rest, uri);

  GeneratorConfig config;
  if (auto e = options.get("events")) {
    events_ = options.get_int("events", -1);
    if (events_ < 0) throw_user_error("nexmark: events must not be negative, got '{}'", *e);
  }
  config.events = events_;
  config.rate = options.get_int("rate", config.rate);
  if (config.rate <= 0) throw_user_error("nexmark: rate must be positive, got {}", config.rate);
  pace_ = options.get_bool("pace", false);
  config.seed = static_cast<uint64_t>(options.get_int("seed", 0));
  if (auto t = options.get("base_time")) {
    if (!temporal::parse_timestamp(*t, &config.base_time))
      throw_user_error(
          "nexmark: base_time must be a timestamp like '2015-07-15 00:00:00', got '{}'", *t);
  }
  config.out_of_order_group = options.get_int("out_of_order_group", 1);
  if (config.out_of_order_group <= 0)
    throw_user_error("nexmark: out_of_order_group must be positive, got {}",
                     config.out_of_order_group);
  int64_t batch = options.get_int("batch_size", static_cast<int64_t>(kDefaultBatchRows));
  if (batch <= 0 || batch > (1 << 20))
    throw_user_error("nexmark: batch_size must be between 1 and 1048576, got {}", batch);
  batch_size_ = static_cast<size_t>(batch);
  // Blocks hold whole out-of-order groups, so every reader permutes its own events only.
  int64_t g = config.out_of_order_group;
  block_events_ = (kBlockEvents + g - 1) / g * g;
  generator_ = std::make_shared<const Generator>(config);

  // The Flink DDL's watermark: date_time minus 4 seconds (options may override it).
  event_time_.column = "date_time";
  event_time_.max_out_of_orderness = 4 * temporal::kMicrosPerSecond;
  // Event-time options (event_time, max_out_of_orderness, ...) were read by the catalog.
  options.check_all_used("nexmark source");
}

SourceCapabilities NexmarkSource::capabilities() const {
  SourceCapabilities c;
  c.bounded = events_ >= 0;
  c.projection_pushdown = true;
  return c;
}

std::vector<std::unique_ptr<SourceReader>> NexmarkSource::open(int parallelism) {
  int readers = std::max(1, parallelism);
  if (events_ >= 0) {
    // No reader without a block of its own.
    int64_t blocks = std::max<int64_t>(1, (events_ + block_events_ - 1) / block_events_);
    readers = static_cast<int>(std::min<int64_t>(readers, blocks));
  }
  SchemaPtr out_schema = output_schema();
  Clock::time_point start = Clock::now();
  std::vector<NexmarkReader::Resume> resume;
  if (!restored_.empty()) {
    if (static_cast<int>(restored_.size()) != readers)
      throw_user_error(
          "nexmark: the checkpoint was taken with {} readers, this run has {}; resume with the "
          "same --threads",
          restored_.size(), readers);
    int64_t first = INT64_MAX;
    for (const auto& p : restored_) {
      resume.push_back(NexmarkReader::parse_position(p, readers));
      if (!resume.back().done) first = std::min(first, resume.back().next_number);
    }
    // Paced: the first event not yet produced is due now, not `first / rate` after the restart.
    if (pace_ && first != INT64_MAX)
      start -= std::chrono::microseconds(
          static_cast<int64_t>(static_cast<__int128>(first) * 1000000 / generator_->config().rate));
  }
  std::vector<std::unique_ptr<SourceReader>> out;
  for (int i = 0; i < readers; ++i) {
    NexmarkReader::Params p{generator_,  type_,         spec_.projection,
                            out_schema,  block_events_, events_ >= 0 ? events_ : INT64_MAX,
                            i,           readers,       batch_size_,
                            spec_.limit, pace_,         start,
                            rows_};
    out.push_back(
        std::make_unique<NexmarkReader>(std::move(p), resume.empty() ? nullptr : &resume[i]));
  }
  return out;
}

void NexmarkSource::restore(const std::vector<std::string>& positions) {
  // Readers record positions in plan order, which is their index order.
  restored_ = positions;
}

std::string NexmarkSource::describe() const {
  const GeneratorConfig& c = generator_->config();
  std::string s = fmt::format("nexmark {} events={}", event_type_name(type_),
                              events_ >= 0 ? std::to_string(events_) : "unbounded");
  s += fmt::format(" seed={}", c.seed);
  if (c.rate != 10000 || pace_) s += fmt::format(" rate={}", c.rate);
  if (pace_) s += " paced";
  if (c.base_time != kDefaultBaseTime) s += " base_time=" + temporal::format_timestamp(c.base_time);
  if (c.out_of_order_group != 1) s += fmt::format(" out_of_order_group={}", c.out_of_order_group);
  // The projection is known once apply() ran (EXPLAIN may describe the source before).
  if (!spec_.projection.empty()) {
    SchemaPtr full = schema();
    std::vector<std::string> cols;
    for (int i : spec_.projection) cols.push_back(full->field(i).name);
    s += fmt::format(" columns=[{}]", fmt::join(cols, ", "));
  }
  if (spec_.limit >= 0) s += fmt::format(" limit={}", spec_.limit);
  return s;
}

SourceProgress NexmarkSource::progress() const {
  SourceProgress p;
  p.rows = rows_->load(std::memory_order_relaxed);
  return p;
}

std::unique_ptr<Source> make_nexmark_source(const std::string& uri, const Options& options) {
  return std::make_unique<NexmarkSource>(uri, options);
}

}  // namespace velo::nexmark

namespace velo {

void register_nexmark_connector() { register_source("nexmark", &nexmark::make_nexmark_source); }

}  // namespace velo
