#include "velo/connectors/kafka/kafka_source.h"

#include <algorithm>
#include <charconv>
#include <random>
#include <set>
#include <thread>

#include "velo/connectors/kafka/avro_message.h"
#include "velo/connectors/kafka/json_schema_message.h"
#include "velo/connectors/kafka/kafka_client.h"
#include "velo/connectors/kafka/partition_buffer.h"
#include "velo/connectors/kafka/protobuf_message.h"
#include "velo/io/column_list.h"
#include "velo/types/temporal.h"

namespace velo::kafka {

namespace {

constexpr size_t kMaxBatchMessages = kDefaultBatchRows;
// What a reader holds back to fill one-partition batches (PartitionBuffer): enough for full
// batches from 32 busy partitions, at most 64 MB of keys and values.
constexpr size_t kMaxHeldMessages = 32 * kMaxBatchMessages;
constexpr size_t kMaxHeldBytes = 64 << 20;
// librdkafka's 45 s makes a dead member's partitions wait too long for a survivor.
constexpr int64_t kDefaultSessionTimeoutMs = 10000;
constexpr size_t kNumSystemColumns = 6;
// acknowledge(): attempts of a commit that fails with a retryable error, and the first wait.
constexpr int kCommitAttempts = 5;
constexpr int64_t kCommitBackoffMs = 100;
enum SystemColumn { kKey, kPartition, kOffset, kTimestamp, kTopic, kHeaders };
const char* const kSystemNames[kNumSystemColumns] = {"_key",       "_partition", "_offset",
                                                     "_timestamp", "_topic",     "_headers"};

std::string random_group_id() {
  std::random_device rd;
  return fmt::format("velo-{:08x}{:08x}", rd(), rd());
}

int64_t parse_int64(std::string_view text, const std::string& what) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size())
    throw_user_error("{}: '{}' is not an integer", what, text);
  return v;
}

}  // namespace

StartPosition parse_start_position(const std::string& text) {
  StartPosition out;
  std::string t = Options::lower(text);
  if (t == "earliest" || t == "beginning" || t.empty()) return out;
  if (t == "latest" || t == "end") {
    out.kind = StartPosition::Kind::kLatest;
    return out;
  }
  int64_t micros;
  if (text.find('-') != std::string::npos && temporal::parse_timestamp(text, &micros)) {
    out.kind = StartPosition::Kind::kTimestamp;
    out.timestamp_ms = micros / 1000;
    return out;
  }
  out.kind = StartPosition::Kind::kOffsets;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t comma = text.find(',', pos);
    if (comma == std::string::npos) comma = text.size();
    std::string item = text.substr(pos, comma - pos);
    item.erase(std::remove(item.begin(), item.end(), ' '), item.end());
    size_t last = item.rfind(':');
    if (last == std::string::npos || last == 0)
      throw_user_error(
          "option 'start' must be 'earliest', 'latest', a timestamp 'YYYY-MM-DD HH:MM:SS' or "
          "offsets 'partition:offset,...', got '{}'",
          text);
    std::string head = item.substr(0, last);
    StartPosition::Entry e;
    size_t first = head.rfind(':');
    if (first != std::string::npos) {
      e.topic = head.substr(0, first);
      head = head.substr(first + 1);
    }
    int64_t p = parse_int64(head, "option 'start' partition");
    e.partition = static_cast<int32_t>(p);
    e.offset = parse_int64(item.substr(last + 1), "option 'start' offset");
    if (p < 0 || e.offset < 0)
      throw_user_error("option 'start': negative partition or offset in '{}'", text);
    out.offsets.push_back(std::move(e));
    pos = comma + 1;
  }
  return out;
}

namespace {

// ---- dead-letter producer -------------------------------------------------------------------

void dlq_delivery_cb(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  if (m->err) static_cast<std::atomic<int>*>(opaque)->fetch_add(1);
}

/// Writes rejected messages (original key, value, headers) plus error headers to a topic.
class DlqProducer {
 public:
  DlqProducer(const std::string& uri, const std::map<std::string, std::string>& passthrough)
      : uri_(parse_kafka_uri(uri)) {
    ConfPtr conf = make_conf(uri_.brokers, {}, passthrough);
    rd_kafka_conf_set_dr_msg_cb(conf.get(), dlq_delivery_cb);
    rd_kafka_conf_set_opaque(conf.get(), &failures_);
    producer_ = make_handle(RD_KAFKA_PRODUCER, std::move(conf));
    topic_.reset(rd_kafka_topic_new(producer_.get(), uri_.topics[0].c_str(), nullptr));
  }
  ~DlqProducer() { rd_kafka_flush(producer_.get(), 10000); }

  void send(const rd_kafka_message_t* m, const std::string& error) {
    rd_kafka_headers_t* src = nullptr;
    HeadersPtr headers(rd_kafka_message_headers(m, &src) == RD_KAFKA_RESP_ERR_NO_ERROR
                           ? rd_kafka_headers_copy(src)
                           : rd_kafka_headers_new(4));
    std::string partition = std::to_string(m->partition), offset = std::to_string(m->offset);
    const char* topic = rd_kafka_topic_name(m->rkt);
    rd_kafka_header_add(headers.get(), "velo.error", -1, error.data(), error.size());
    rd_kafka_header_add(headers.get(), "velo.topic", -1, topic, -1);
    rd_kafka_header_add(headers.get(), "velo.partition", -1, partition.data(), partition.size());
    rd_kafka_header_add(headers.get(), "velo.offset", -1, offset.data(), offset.size());
    while (true) {
      rd_kafka_resp_err_t err = rd_kafka_producev(
          producer_.get(), RD_KAFKA_V_RKT(topic_.get()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
          RD_KAFKA_V_VALUE(m->payload, m->len), RD_KAFKA_V_KEY(m->key, m->key_len),
          RD_KAFKA_V_HEADERS(headers.get()), RD_KAFKA_V_END);
      if (!err) {
        (void)headers.release();  // owned by the message now
        break;
      }
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
        throw_kafka_error(err, "writing to dlq " + uri_.to_string());
      rd_kafka_poll(producer_.get(), 100);
    }
    rd_kafka_poll(producer_.get(), 0);
  }

  /// Waits for every dead letter to be delivered; throws when any failed.
  void flush(int64_t timeout_ms) {
    rd_kafka_resp_err_t err = rd_kafka_flush(producer_.get(), static_cast<int>(timeout_ms));
    if (err) throw_kafka_error(err, "flushing dlq " + uri_.to_string());
    if (int f = failures_.exchange(0))
      throw Error(ErrorKind::kIo,
                  fmt::format("{} dead letters could not be written to {}", f, uri_.to_string()),
                  {}, true);
  }

 private:
  KafkaUri uri_;
  std::atomic<int> failures_{0};
  HandlePtr producer_;
  TopicPtr topic_;
};

}  // namespace

// ---- shared consumer state ----------------------------------------------------------------

/// Per partition read state.
struct PartitionState {
  int64_t next_offset = -1;  // next offset to read (position), -1 unknown
  int64_t end_offset = -1;   // until = 'latest': high watermark at open
  bool done = false;         // bounded: reached end_offset
  bool assigned = false;
  bool at_eof = false;  // reached the partition's end, nothing of it buffered since
};

/// Batch::partition of a topic's partition: the partition itself for the first topic, offset by
/// kTopicStride per further topic, so that watermarks of `t1` and `t2` partition 0 stay apart.
constexpr int32_t kTopicStride = 1 << 20;

/// The consumer and what both the reader and the source (acknowledge/position) see.
struct ConsumerState {
  HandlePtr consumer;
  QueuePtr queue;
  std::vector<std::string> topics;
  std::vector<rd_kafka_topic_t*> topic_handles;         // borrowed from messages, for fast lookup
  std::vector<std::vector<PartitionState>> partitions;  // [topic][partition]; reader-owned
  int eof_partitions = 0;                               // with at_eof set; reader-owned
  std::atomic<int> rebalances{0};                       // assignments and revocations so far
  std::atomic<int> revocations{0};                      // revocations so far
  bool bounded = false;
  bool subscribed = false;
  /// Group + until: this member ends when its assigned partitions reached their end and no
  /// rebalance happened for `settle` (so partitions of a member that died reach a survivor).
  std::chrono::milliseconds settle{0};
  bool ever_assigned = false;                            // reader thread only
  std::chrono::steady_clock::time_point last_rebalance;  // reader thread only
  bool commit = false;                                   // group_id given

  // Positions published after each batch (what acknowledge() commits).
  mutable std::mutex mu;
  std::vector<std::vector<int64_t>> published;  // [topic][partition] next offset, -1 none
  /// What acknowledge() was last asked to commit ([topic][partition] next offset, -1 none): the
  /// engine's sinks committed everything before it. Committed again on a revocation when a
  /// rebalance in progress refused it.
  std::vector<std::vector<int64_t>> acked;
  std::vector<std::vector<int64_t>> committed;

  // Subscribe mode: start positions applied to partitions without a committed offset.
  StartPosition start;

  std::atomic<int64_t> rows{0};
  std::atomic<int64_t> bytes{0};
  /// Client-level errors (broker connections, authentication) from librdkafka's error callback,
  /// drained by the reader. Guarded by mu.
  std::vector<std::pair<rd_kafka_resp_err_t, std::string>> client_errors;
  /// on_error = 'dlq': used by the reader, flushed by acknowledge() before committing.
  std::unique_ptr<DlqProducer> dlq;

  /// Source::restore() was called: on its first assignment a partition starts at its offset in
  /// `restored`, else per `start`; committed offsets are not used for it.
  bool resuming = false;
  std::vector<StartPosition::Entry> restored;
  std::set<std::pair<std::string, int32_t>> assigned_before;  // rebalance callback only

  ~ConsumerState() {
    if (consumer) rd_kafka_consumer_close(consumer.get());
    queue.reset();
  }

  void set_eof(PartitionState& ps, bool eof) {
    if (ps.at_eof == eof) return;
    ps.at_eof = eof;
    eof_partitions += eof ? 1 : -1;
  }

  /// The published next offsets as "[topic:]p:offset,...". Call with mu held.
  std::string published_text(bool with_topic) const {
    std::string out;
    for (size_t t = 0; t < published.size(); ++t)
      for (size_t p = 0; p < published[t].size(); ++p) {
        int64_t off = published[t][p];
        if (off < 0) continue;
        if (!out.empty()) out += ",";
        if (with_topic) out += topics[t] + ":";
        out += fmt::format("{}:{}", p, off);
      }
    return out;
  }

  /// Takes the restored offset of a partition (RD_KAFKA_OFFSET_INVALID when none): it is used
  /// once, later assignments resume from the group's commits like any rebalance.
  int64_t take_restored(const std::string& topic, int32_t partition) {
    for (auto it = restored.begin(); it != restored.end(); ++it)
      if (it->partition == partition && it->topic == topic) {
        int64_t off = it->offset;
        restored.erase(it);
        return off;
      }
    return RD_KAFKA_OFFSET_INVALID;
  }
};

namespace {

/// Creates a consumer for the source's options.
HandlePtr make_consumer(const KafkaUri& uri, const std::string& group_id,
                        const StartPosition& start,
                        const std::map<std::string, std::string>& passthrough, void* opaque,
                        bool rebalance_cb);

void rebalance_cb(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                  void* opaque);

/// Without an error callback librdkafka only logs client errors (brokers down, authentication):
/// collect them for the reader instead.
void error_cb(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  auto* s = static_cast<ConsumerState*>(opaque);
  std::lock_guard<std::mutex> lock(s->mu);
  if (s->client_errors.size() < 64)
    s->client_errors.emplace_back(static_cast<rd_kafka_resp_err_t>(err), reason ? reason : "");
}

}  // namespace

// ---- KafkaSource --------------------------------------------------------------------------

KafkaSource::KafkaSource(const std::string& uri, const Options& options)
    : uri_(parse_kafka_uri(uri)), uri_text_(uri) {
  group_id_ = options.get_string("group_id", "");
  start_ = parse_start_position(options.get_string("start", "earliest"));
  if (start_.kind == StartPosition::Kind::kOffsets) {
    for (const auto& e : start_.offsets) {
      if (e.topic.empty() && uri_.topics.size() > 1)
        throw_user_error("option 'start': with several topics write 'topic:partition:offset'");
      if (!e.topic.empty() &&
          std::find(uri_.topics.begin(), uri_.topics.end(), e.topic) == uri_.topics.end())
        throw_user_error("option 'start' names topic '{}' which the URI does not read", e.topic);
    }
  }
  if (auto until = options.get("until")) {
    if (Options::lower(*until) != "latest")
      throw_user_error("option 'until' supports only 'latest', got '{}'", *until);
    until_latest_ = true;
  }
  format_ = parse_message_format(options.get_string("format", "json"), "format");
  key_format_ = parse_message_format(options.get_string("key_format", "string"), "key_format");
  if (key_format_ == MessageFormat::kCsv) throw_not_supported("kafka key_format 'csv'");
  if (auto url = options.get("schema_registry")) registry_ = schema_registry_for(*url);
  if (auto json = options.get("avro_schema"))
    avro_schema_ = parse_avro_option(*json, "avro_schema");
  if (auto json = options.get("key_avro_schema"))
    key_avro_schema_ = parse_avro_option(*json, "key_avro_schema");
  SubjectNameStrategy strategy =
      parse_subject_name_strategy(options.get_string("subject_name_strategy", "topic"));
  record_name_ = options.get_string("record_name", "");
  std::string key_record = options.get_string("key_record_name", "");
  // The record strategies need the record's name, known only when the user gives it; without
  // one the subject stays empty and is needed only if a schema must come from it.
  auto subject_of = [&](const char* option, const std::string& record, bool key) {
    if (auto s = options.get(option)) return *s;
    if (strategy != SubjectNameStrategy::kTopic && record.empty()) return std::string();
    return subject_name(strategy, uri_.topics[0], record, key);
  };
  value_subject_ = subject_of("value_subject", record_name_, false);
  key_subject_ = subject_of("key_subject", key_record, true);
  if (format_ == MessageFormat::kProtobuf && !registry_)
    throw_user_error(
        "format = 'protobuf' needs schema_registry = 'http://host:port' (Confluent wire format)");
  if (key_format_ == MessageFormat::kProtobuf)
    throw_not_supported("kafka key_format 'protobuf' (keys are text, bytes, json or avro)");
  if (format_ == MessageFormat::kAvro && !registry_ && !avro_schema_)
    throw_user_error(
        "format = 'avro' needs schema_registry = 'http://host:port' (Confluent wire format) or "
        "avro_schema = '<schema JSON>' (plain Avro datums)");
  if (key_format_ == MessageFormat::kAvro && !registry_ && !key_avro_schema_)
    throw_user_error(
        "key_format = 'avro' needs schema_registry = 'http://host:port' (Confluent wire format) "
        "or key_avro_schema = '<schema JSON>' (plain Avro datums)");
  if (avro_schema_ && format_ != MessageFormat::kAvro)
    throw_user_error("option 'avro_schema' needs format = 'avro'");
  if (key_avro_schema_ && key_format_ != MessageFormat::kAvro)
    throw_user_error("option 'key_avro_schema' needs key_format = 'avro'");
  if (registry_ && format_ != MessageFormat::kAvro && format_ != MessageFormat::kJson &&
      format_ != MessageFormat::kProtobuf && key_format_ != MessageFormat::kAvro)
    throw_user_error(
        "option 'schema_registry' needs format = 'avro', 'json' or 'protobuf', or key_format = "
        "'avro'");
  std::string delim = options.get_string("delimiter", ",");
  if (delim == "\\t" || delim == "tab") delim = "\t";
  if (delim.size() != 1)
    throw_user_error("option 'delimiter' must be one character, got '{}'", delim);
  delimiter_ = delim[0];
  std::string on_error = Options::lower(options.get_string("on_error", "fail"));
  if (on_error == "fail")
    on_error_ = OnError::kFail;
  else if (on_error == "skip")
    on_error_ = OnError::kSkip;
  else if (on_error == "dlq")
    on_error_ = OnError::kDlq;
  else
    throw_user_error("option 'on_error' must be 'fail', 'skip' or 'dlq', got '{}'", on_error);
  dlq_uri_ = options.get_string("dlq", "");
  if (on_error_ == OnError::kDlq && dlq_uri_.empty())
    throw_user_error("on_error = 'dlq' needs dlq = 'kafka://host:port/topic'");
  if (!dlq_uri_.empty()) {
    KafkaUri d = parse_kafka_uri(dlq_uri_);
    if (d.topics.size() != 1) throw_user_error("option 'dlq' must name exactly one topic");
  }
  connect_timeout_ms_ = options.get_duration_us("connect_timeout", 30'000'000) / 1000;
  sample_size_ = static_cast<int>(options.get_int("sample_size", 100));
  sample_timeout_ms_ = options.get_duration_us("sample_timeout", 5'000'000) / 1000;
  passthrough_ = options.with_prefix("kafka.");
  int64_t session_ms = kDefaultSessionTimeoutMs;
  if (auto it = passthrough_.find("session.timeout.ms"); it != passthrough_.end())
    session_ms = parse_int64(it->second, "option 'kafka.session.timeout.ms'");
  // Session timeout (a dead member is noticed) + a rebalance (the mock delays joins ~3 s).
  group_settle_ms_ = options.get_duration_us("group_settle", (session_ms + 5000) * 1000) / 1000;
  if (auto s = options.get("schema")) value_schema_ = parse_column_list(*s);
  options.check_all_used("kafka source");
  if (!value_schema_ && (format_ == MessageFormat::kString || format_ == MessageFormat::kBytes))
    value_schema_ = infer_message_schema(format_, {}, delimiter_);
}

KafkaSource::~KafkaSource() = default;

const std::string& KafkaSource::registry_subject(const std::string& subject) const {
  if (subject.empty())
    throw_user_error(
        "subject_name_strategy = 'record' / 'topic_record' names subjects after the record: give "
        "record_name = '...' (key_record_name for keys), value_subject / key_subject, or declare "
        "schema = '...'");
  return subject;
}

SchemaPtr KafkaSource::schema() const {
  std::lock_guard<std::mutex> lock(schema_mu_);
  if (full_schema_) return full_schema_;
  if (format_ == MessageFormat::kAvro) {
    // The reader schema: declared avro_schema, else the subject's latest (unless columns are
    // declared: then writer schemas resolve straight against them).
    if (avro_schema_)
      value_reader_ = avro_schema_;
    else if (!value_schema_)
      value_reader_ = registry_->latest(registry_subject(value_subject_)).schema;
    if (!value_schema_) value_schema_ = value_reader_->velo_schema();
  } else if (!value_schema_ && registry_ &&
             (format_ == MessageFormat::kJson || format_ == MessageFormat::kProtobuf)) {
    // The columns of the subject's latest schema (messages carry their own schema ids).
    RegisteredSchemaPtr latest = registry_->raw_latest(registry_subject(value_subject_)).schema;
    if (format_ == MessageFormat::kJson) {
      if (latest->type != "JSON")
        throw_user_error("subject '{}' holds a {} schema, the source reads format = 'json'",
                         value_subject_, latest->type);
      value_schema_ = velo_schema_from_json_schema(latest->text);
    } else {
      value_schema_ = protobuf_velo_schema(*latest, registry_.get(), record_name_);
    }
  }
  DataType key_type = key_format_ == MessageFormat::kBytes ? DataType::bytes() : DataType::string();
  if (key_format_ == MessageFormat::kAvro) {
    key_reader_ = key_avro_schema_ ? key_avro_schema_
                                   : registry_->latest(registry_subject(key_subject_)).schema;
    key_columns_ = key_reader_->velo_schema();
    key_is_record_ = key_reader_->root().type == avro::AvroType::kRecord;
    key_type =
        key_is_record_ ? DataType::struct_of(key_columns_->fields()) : key_columns_->field(0).type;
  }
  if (!value_schema_) {
    // Sample the topic from the beginning with a throwaway consumer.
    HandlePtr rk = make_consumer(uri_, "", StartPosition{}, passthrough_, nullptr, false);
    auto counts = fetch_partition_counts(rk.get(), uri_, connect_timeout_ms_);
    auto list = make_partition_list(16);
    size_t total = 0;
    for (size_t t = 0; t < uri_.topics.size(); ++t)
      for (int p = 0; p < counts[t]; ++p) {
        rd_kafka_topic_partition_list_add(list.get(), uri_.topics[t].c_str(), p)->offset =
            RD_KAFKA_OFFSET_BEGINNING;
        ++total;
      }
    if (auto err = rd_kafka_assign(rk.get(), list.get()))
      throw_kafka_error(err, "sampling " + uri_text_);
    std::vector<MessagePtr> held;
    std::vector<std::string_view> samples;
    size_t eofs = 0;
    auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(sample_timeout_ms_);
    while (samples.size() < static_cast<size_t>(sample_size_) && eofs < total &&
           std::chrono::steady_clock::now() < deadline) {
      MessagePtr m(rd_kafka_consumer_poll(rk.get(), std::min(remaining_ms(deadline), 100)));
      if (!m) continue;
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        ++eofs;
        continue;
      }
      if (m->err) {
        if (is_retryable(m->err)) continue;
        throw_kafka_error(m->err, "sampling " + uri_text_);
      }
      if (!m->payload) continue;
      samples.emplace_back(static_cast<const char*>(m->payload), m->len);
      held.push_back(std::move(m));
    }
    if (samples.empty())
      throw_user_error(
          "cannot infer the schema of {}: no message to sample within {} ms; declare it with "
          "schema = 'name TYPE, ...'",
          uri_text_, sample_timeout_ms_);
    value_schema_ = infer_message_schema(format_, samples, delimiter_);
    held.clear();
    rd_kafka_consumer_close(rk.get());
  }
  std::vector<Field> fields = value_schema_->fields();
  for (const auto& f : fields)
    for (const char* sys : kSystemNames)
      if (iequals(f.name, sys))
        throw_user_error("value column '{}' clashes with the Kafka system column of that name",
                         f.name);
  fields.push_back({kSystemNames[kKey], key_type, true});
  fields.push_back({kSystemNames[kPartition], DataType::int32(), false});
  fields.push_back({kSystemNames[kOffset], DataType::int64(), false});
  fields.push_back({kSystemNames[kTimestamp], DataType::timestamp(), true});
  fields.push_back({kSystemNames[kTopic], DataType::string(), false});
  fields.push_back(
      {kSystemNames[kHeaders], DataType::map_of(DataType::string(), DataType::bytes()), true});
  full_schema_ = std::make_shared<const Schema>(std::move(fields));
  return full_schema_;
}

SourceCapabilities KafkaSource::capabilities() const {
  SourceCapabilities c;
  c.bounded = until_latest_;
  c.projection_pushdown = true;
  return c;
}

std::string KafkaSource::describe() const {
  std::string s = "KafkaSource " + uri_.to_string();
  if (!group_id_.empty()) s += " group_id=" + group_id_;
  if (until_latest_) s += " until=latest";
  if (!spec_.projection.empty()) {
    SchemaPtr full = schema();
    s += " columns=[";
    for (size_t i = 0; i < spec_.projection.size(); ++i)
      s += (i ? "," : "") + full->field(spec_.projection[i]).name;
    s += "]";
  }
  return s;
}

SourceProgress KafkaSource::progress() const {
  SourceProgress p;
  if (state_) {
    p.rows = state_->rows.load();
    p.bytes_read = state_->bytes.load();
  }
  return p;
}

std::string KafkaSource::position() const {
  if (!state_) return "";
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->published_text(state_->topics.size() > 1);
}

void KafkaSource::restore(const std::vector<std::string>& positions) {
  if (state_) throw_internal_error("KafkaSource::restore called after open");
  restored_.clear();
  resuming_ = true;
  for (const auto& text : positions) {
    if (text.empty() || text == kNoPosition) continue;
    StartPosition p = parse_start_position(text);
    if (p.kind != StartPosition::Kind::kOffsets)
      throw_user_error("cannot resume {} from checkpoint position '{}'", uri_text_, text);
    for (auto& e : p.offsets) {
      if (e.topic.empty()) {
        if (uri_.topics.size() > 1)
          throw_user_error("checkpoint position '{}' does not name topics", text);
        e.topic = uri_.topics[0];
      }
      // A topic the query no longer reads is left alone.
      if (std::find(uri_.topics.begin(), uri_.topics.end(), e.topic) == uri_.topics.end()) continue;
      auto same = std::find_if(restored_.begin(), restored_.end(), [&](const auto& r) {
        return r.topic == e.topic && r.partition == e.partition;
      });
      if (same == restored_.end())
        restored_.push_back(e);
      else
        same->offset = std::max(same->offset, e.offset);
    }
  }
}

namespace {

HandlePtr make_consumer(const KafkaUri& uri, const std::string& group_id,
                        const StartPosition& start,
                        const std::map<std::string, std::string>& passthrough, void* opaque,
                        bool with_rebalance_cb) {
  std::map<std::string, std::string> defaults = {
      {"group.id", group_id.empty() ? random_group_id() : group_id},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"enable.partition.eof", "true"},
      {"auto.offset.reset", start.kind == StartPosition::Kind::kLatest ? "latest" : "earliest"},
      {"reconnect.backoff.ms", "100"},
      {"session.timeout.ms", std::to_string(kDefaultSessionTimeoutMs)},
      // librdkafka 2.0 stops fetching when 100k messages are queued and, once we drained them,
      // only resumes at its next 1 s wakeup: reading a backlog stalled ~0.8 s per 100k messages
      // (270k msg/s instead of 1M msg/s on the dev broker). Memory stays bounded by
      // queued.max.messages.kbytes (64 MB).
      {"queued.min.messages", "1000000"},
      {"reconnect.backoff.max.ms", "2000"},
  };
  ConfPtr conf = make_conf(uri.brokers, defaults, passthrough);
  if (opaque) {
    rd_kafka_conf_set_opaque(conf.get(), opaque);
    rd_kafka_conf_set_error_cb(conf.get(), error_cb);
  }
  if (with_rebalance_cb) rd_kafka_conf_set_rebalance_cb(conf.get(), rebalance_cb);
  HandlePtr rk = make_handle(RD_KAFKA_CONSUMER, std::move(conf));
  rd_kafka_poll_set_consumer(rk.get());
  return rk;
}

int topic_index(const ConsumerState& s, const char* name) {
  for (size_t i = 0; i < s.topics.size(); ++i)
    if (s.topics[i] == name) return static_cast<int>(i);
  return -1;
}

/// Grows the per-partition vectors when a topic gained partitions after open. Call with s.mu held.
void ensure_partition(ConsumerState& s, int t, int32_t partition) {
  size_t need = static_cast<size_t>(partition) + 1;
  if (s.partitions[t].size() >= need) return;
  s.partitions[t].resize(need);
  s.published[t].resize(need, -1);
  s.acked[t].resize(need, -1);
  s.committed[t].resize(need, -1);
}

/// Applies a rebalance: the eager protocol (range, roundrobin) replaces the whole assignment,
/// the cooperative one (kafka.partition.assignment.strategy = 'cooperative-sticky') adds or
/// removes just `parts`. A refusal reaches the reader as a client error (it fails the read).
void change_assignment(rd_kafka_t* rk, ConsumerState* s, rd_kafka_topic_partition_list_t* parts,
                       bool add) {
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  std::string text;
  if (std::string_view(rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE") {
    rd_kafka_error_t* e =
        add ? rd_kafka_incremental_assign(rk, parts) : rd_kafka_incremental_unassign(rk, parts);
    if (e) {
      KafkaErrorPtr owned(e);
      err = rd_kafka_error_code(e);
      text = rd_kafka_error_string(e);
    }
  } else {
    err = rd_kafka_assign(rk, add ? parts : nullptr);
    if (err) text = rd_kafka_err2str(err);
  }
  if (!err) return;
  std::lock_guard<std::mutex> lock(s->mu);
  // Not retryable for the reader: it fails the read with this text.
  s->client_errors.emplace_back(RD_KAFKA_RESP_ERR__STATE,
                                fmt::format("changing the partition assignment: {}", text));
}

/// The acknowledged offsets of `parts` that are not committed yet: commits them (synchronously;
/// the revocation waits for it). A failure only means more re-reading by the next owner.
void commit_acknowledged(rd_kafka_t* rk, ConsumerState* s,
                         const rd_kafka_topic_partition_list_t* parts) {
  auto list = make_partition_list(parts->cnt);
  {
    std::lock_guard<std::mutex> lock(s->mu);
    for (int i = 0; i < parts->cnt; ++i) {
      int t = topic_index(*s, parts->elems[i].topic);
      int32_t p = parts->elems[i].partition;
      if (t < 0 || p < 0 || p >= static_cast<int32_t>(s->acked[t].size())) continue;
      int64_t off = s->acked[t][p];
      if (off < 0 || off == s->committed[t][p]) continue;
      rd_kafka_topic_partition_list_add(list.get(), parts->elems[i].topic, p)->offset = off;
    }
  }
  if (list->cnt == 0 || rd_kafka_commit(rk, list.get(), 0)) return;
  std::lock_guard<std::mutex> lock(s->mu);
  for (int i = 0; i < list->cnt; ++i)
    if (!list->elems[i].err)
      s->committed[topic_index(*s, list->elems[i].topic)][list->elems[i].partition] =
          list->elems[i].offset;
}

/// Subscribe mode: on assignment, partitions without a committed offset start at `start`.
void rebalance_cb(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                  void* opaque) {
  auto* s = static_cast<ConsumerState*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    // Without an offset here librdkafka takes the committed one, else auto.offset.reset (which
    // is `start` for earliest / latest). Offsets and timestamps of `start` need setting for
    // partitions without a committed offset; after restore(), a partition's first assignment
    // starts at the checkpoint, or per `start` when the checkpoint does not name it.
    bool by_start = s->start.kind == StartPosition::Kind::kTimestamp ||
                    s->start.kind == StartPosition::Kind::kOffsets;
    PartitionListPtr committed(rd_kafka_topic_partition_list_copy(parts));
    bool have_committed = by_start && !rd_kafka_committed(rk, committed.get(), 10000);
    PartitionListPtr by_time(rd_kafka_topic_partition_list_new(parts->cnt));
    for (int i = 0; i < parts->cnt; ++i) {
      auto& e = parts->elems[i];
      bool first = s->assigned_before.insert({e.topic, e.partition}).second;
      if (s->resuming && first) {
        int64_t off = s->take_restored(e.topic, e.partition);
        if (off != RD_KAFKA_OFFSET_INVALID) {
          e.offset = off;
          continue;
        }
      } else if (!have_committed || committed->elems[i].offset >= 0) {
        continue;
      }
      switch (s->start.kind) {
        case StartPosition::Kind::kEarliest:
          e.offset = RD_KAFKA_OFFSET_BEGINNING;
          break;
        case StartPosition::Kind::kLatest:
          e.offset = RD_KAFKA_OFFSET_END;
          break;
        case StartPosition::Kind::kTimestamp:
          rd_kafka_topic_partition_list_add(by_time.get(), e.topic, e.partition)->offset =
              s->start.timestamp_ms;
          break;
        case StartPosition::Kind::kOffsets:
          e.offset = RD_KAFKA_OFFSET_BEGINNING;
          for (const auto& o : s->start.offsets)
            if (o.partition == e.partition && (o.topic.empty() || o.topic == e.topic))
              e.offset = o.offset;
          break;
      }
    }
    if (by_time->cnt > 0 && !rd_kafka_offsets_for_times(rk, by_time.get(), 10000)) {
      for (int i = 0; i < by_time->cnt; ++i)
        rd_kafka_topic_partition_list_find(parts, by_time->elems[i].topic,
                                           by_time->elems[i].partition)
            ->offset = by_time->elems[i].offset;
    }
    change_assignment(rk, s, parts, /*add=*/true);
    s->rebalances.fetch_add(1);
    s->ever_assigned = true;
    s->last_rebalance = std::chrono::steady_clock::now();
    std::lock_guard<std::mutex> lock(s->mu);
    for (int i = 0; i < parts->cnt; ++i) {
      int t = topic_index(*s, parts->elems[i].topic);
      if (t < 0 || parts->elems[i].partition < 0) continue;
      ensure_partition(*s, t, parts->elems[i].partition);
      PartitionState& ps = s->partitions[t][parts->elems[i].partition];
      ps.assigned = true;
      s->set_eof(ps, false);
    }
  } else {
    s->last_rebalance = std::chrono::steady_clock::now();
    // Revoked: what the engine acknowledged is committed now if a rebalance in progress refused
    // it before; the rest (handed out, not acknowledged, or still held here) is read again by the
    // next owner from there (at-least-once).
    if (s->commit) commit_acknowledged(rk, s, parts);
    std::lock_guard<std::mutex> lock(s->mu);
    for (int i = 0; i < parts->cnt; ++i) {
      int t = topic_index(*s, parts->elems[i].topic);
      if (t < 0 || parts->elems[i].partition >= static_cast<int>(s->partitions[t].size())) continue;
      // The callback runs on the reader's thread (inside consume), so partitions is ours to change.
      s->partitions[t][parts->elems[i].partition].assigned = false;
      s->set_eof(s->partitions[t][parts->elems[i].partition], false);
      s->partitions[t][parts->elems[i].partition].next_offset = -1;
      s->published[t][parts->elems[i].partition] = -1;
      s->acked[t][parts->elems[i].partition] = -1;
    }
    change_assignment(rk, s, parts, /*add=*/false);
    s->rebalances.fetch_add(1);
    s->revocations.fetch_add(1);
  }
}

}  // namespace

// ---- reader -----------------------------------------------------------------------------------

class KafkaReader : public SourceReader {
 public:
  KafkaReader(KafkaSource* source, std::shared_ptr<ConsumerState> state)
      : state_(std::move(state)),
        rejected_(source->rejected_),
        uri_text_(source->uri_text_),
        brokers_(source->uri_.brokers),
        connect_timeout_ms_(source->connect_timeout_ms_),
        on_error_(source->on_error_) {
    SchemaPtr full = source->schema();
    value_schema_ = source->value_schema_;
    out_schema_ = source->output_schema();
    const auto& proj = source->spec_.projection;
    size_t nvalue = value_schema_->size();
    if (proj.empty()) {
      for (size_t i = 0; i < full->size(); ++i) out_map_.push_back(static_cast<int>(i));
    } else {
      out_map_ = proj;
    }
    for (int i : out_map_) {
      if (i < static_cast<int>(nvalue))
        need_value_ = true;
      else
        need_system_[i - nvalue] = true;
    }
    system_types_.resize(kNumSystemColumns);
    for (size_t s = 0; s < kNumSystemColumns; ++s) system_types_[s] = full->field(nvalue + s).type;
    if (need_value_) {
      if (source->format_ == MessageFormat::kAvro)
        decoder_ = make_avro_decoder(
            {source->registry_, source->avro_schema_, source->value_reader_, value_schema_});
      else if (source->format_ == MessageFormat::kProtobuf)
        decoder_ = make_protobuf_decoder(source->registry_, value_schema_);
      else if (source->format_ == MessageFormat::kJson && source->registry_)
        decoder_ = make_json_registry_decoder(source->registry_, value_schema_);
      else
        decoder_ = make_decoder(source->format_, value_schema_, source->delimiter_);
    }
    if (need_system_[kKey] && source->key_format_ == MessageFormat::kAvro) {
      key_decoder_ = make_avro_decoder(
          {source->registry_, source->key_avro_schema_, source->key_reader_, source->key_columns_});
      key_is_record_ = source->key_is_record_;
    }
    messages_.resize(kMaxBatchMessages);
    trouble_since_ = std::chrono::steady_clock::now();
  }

  ~KafkaReader() override {
    // Messages fetched but not distributed when distributing one threw.
    for (size_t i = head_; i < tail_; ++i)
      if (messages_[i]) rd_kafka_message_destroy(messages_[i]);
  }

  /// One batch holds the messages of one partition, in their order. Messages are taken from
  /// the consumer queue into a PartitionBuffer; a partition goes out once it holds a full batch,
  /// has waited long, or the queue has nothing more for now (so live data is not delayed).
  PollStatus next(Batch* out, Deadline deadline) override {
    if (state_->bounded && all_done()) return finish();
    while (true) {
      drop_revoked();
      int32_t id = buffer_.pick(/*drained=*/false);
      if (id < 0) {
        int wait = buffer_.empty() ? std::min(remaining_ms(deadline), 100) : 0;
        ssize_t n = rd_kafka_consume_batch_queue(state_->queue.get(), wait, messages_.data(),
                                                 messages_.size());
        if (n < 0) throw_kafka_error(rd_kafka_last_error(), "reading " + uri_text_);
        head_ = 0;
        tail_ = static_cast<size_t>(n);
        while (head_ < tail_) {
          rd_kafka_message_t* m = messages_[head_];
          messages_[head_++] = nullptr;
          distribute(m);
        }
        drop_revoked();  // the rebalance callback runs inside consume
        drain_client_errors();
        if (n > 0) continue;
        id = buffer_.pick(/*drained=*/true);
        if (id < 0) {
          if (state_->bounded && all_done()) return finish();
          check_connectivity();
          if (std::chrono::steady_clock::now() >= deadline) {
            publish();
            return PollStatus::kNothingYet;
          }
          continue;
        }
      }
      size_t rows = take(id);
      if (rows > 0) {
        emit(out, rows);
        out->partition = id;
        return PollStatus::kBatch;
      }
      if (state_->bounded && all_done()) return finish();
    }
  }

  /// The assigned partitions (they change on a rebalance), as Batch::partition numbers.
  std::vector<int32_t> partitions() const override {
    std::vector<int32_t> out;
    for (size_t t = 0; t < state_->partitions.size(); ++t)
      for (size_t p = 0; p < state_->partitions[t].size(); ++p)
        if (state_->partitions[t][p].assigned)
          out.push_back(static_cast<int32_t>(t) * kTopicStride + static_cast<int32_t>(p));
    return out;
  }

  /// At its end (or, until = 'latest', done) and nothing of it buffered.
  bool partition_idle(int32_t partition) const override {
    size_t t = static_cast<size_t>(partition / kTopicStride);
    size_t p = static_cast<size_t>(partition % kTopicStride);
    if (partition < 0 || t >= state_->partitions.size() || p >= state_->partitions[t].size())
      return false;
    const PartitionState& ps = state_->partitions[t][p];
    return ps.at_eof || ps.done;
  }

  /// "topic:partition:next_offset,..." of what next() handed out so far, or kNoPosition.
  std::string position() const override {
    std::lock_guard<std::mutex> lock(state_->mu);
    std::string text = state_->published_text(true);
    return text.empty() ? std::string(kNoPosition) : text;
  }

 private:
  bool all_done() {
    if (state_->subscribed) return group_done();
    for (const auto& t : state_->partitions)
      for (const auto& p : t)
        if (!p.done) return false;
    return true;
  }

  /// Group + until: done when every assigned partition reached its end and every other
  /// partition is committed up to its end by the group. Members that acknowledge only at their
  /// own end never commit while others wait, so when the group's commits stand still for
  /// `settle` (longer than the session timeout: a dead member's partitions would have been handed
  /// to us by then) the member ends too.
  bool group_done() {
    if (group_finished_) return true;
    if (!state_->ever_assigned) return false;
    for (const auto& t : state_->partitions)
      for (const auto& p : t)
        if (p.assigned && !p.done) return false;
    auto now = std::chrono::steady_clock::now();
    if (now < next_group_check_) return false;
    next_group_check_ = now + std::chrono::milliseconds(500);
    auto list = make_partition_list(16);
    for (size_t t = 0; t < state_->partitions.size(); ++t)
      for (size_t p = 0; p < state_->partitions[t].size(); ++p)
        if (!state_->partitions[t][p].done)
          rd_kafka_topic_partition_list_add(list.get(), state_->topics[t].c_str(),
                                            static_cast<int32_t>(p));
    if (list->cnt == 0) return group_finished_ = true;
    int64_t sum = 0;
    bool all_committed = false;
    if (!rd_kafka_committed(state_->consumer.get(), list.get(), 5000)) {
      all_committed = true;
      for (int i = 0; i < list->cnt; ++i) {
        const auto& e = list->elems[i];
        int t = topic_index(*state_, e.topic);
        sum += std::max<int64_t>(e.offset, 0);
        if (e.offset < state_->partitions[t][e.partition].end_offset) all_committed = false;
      }
    }
    if (all_committed) return group_finished_ = true;
    if (sum != group_committed_sum_) {
      group_committed_sum_ = sum;
      last_group_progress_ = now;
    }
    auto quiet_since = std::max(last_group_progress_, state_->last_rebalance);
    return group_finished_ = now - quiet_since >= state_->settle;
  }

  PollStatus finish() {
    publish();
    if (state_->dlq) state_->dlq->flush(30000);
    return PollStatus::kEnd;
  }

  void note_trouble(rd_kafka_resp_err_t err, const std::string& text) {
    if (!troubled_) {
      troubled_ = true;
      trouble_since_ = std::chrono::steady_clock::now();
    }
    trouble_text_ = fmt::format("{} ({})", text, rd_kafka_err2name(err));
  }

  /// Client errors from the error callback: connection trouble starts the connect_timeout clock,
  /// anything else (authentication, fatal) ends the read.
  void drain_client_errors() {
    std::vector<std::pair<rd_kafka_resp_err_t, std::string>> errors;
    {
      std::lock_guard<std::mutex> lock(state_->mu);
      if (state_->client_errors.empty()) return;
      errors.swap(state_->client_errors);
    }
    for (const auto& [err, text] : errors) {
      if (err == RD_KAFKA_RESP_ERR__FATAL) {
        char buf[512];
        rd_kafka_resp_err_t orig = rd_kafka_fatal_error(state_->consumer.get(), buf, sizeof(buf));
        throw kafka_error(orig, "reading " + uri_text_ + ": fatal: " + buf);
      }
      if (is_retryable(err) || err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
        note_trouble(err, text);
      else
        throw kafka_error(err, "reading " + uri_text_ + ": " + text);
    }
  }

  void check_connectivity() {
    // librdkafka reconnects by itself; bound how long we wait without hearing from a broker.
    if (!troubled_) return;
    auto waited = std::chrono::steady_clock::now() - trouble_since_;
    if (waited <= std::chrono::milliseconds(connect_timeout_ms_)) return;
    // Quiet partitions also bring no message: ask a broker before giving up.
    const rd_kafka_metadata_t* md = nullptr;
    if (rd_kafka_metadata(state_->consumer.get(), 0, nullptr, &md, 1000) ==
        RD_KAFKA_RESP_ERR_NO_ERROR) {
      MetadataPtr owned(md);
      troubled_ = false;
      return;
    }
    throw Error(ErrorKind::kIo,
                fmt::format("lost the Kafka brokers {} for more than connect_timeout ({} ms): {}",
                            brokers_, connect_timeout_ms_, trouble_text_),
                {}, true);
  }

  void start_batch() {
    value_cols_.clear();
    if (need_value_)
      for (const auto& f : value_schema_->fields()) value_cols_.push_back(Column::make(f.type));
    for (size_t s = 0; s < kNumSystemColumns; ++s)
      system_cols_[s] = need_system_[s] ? Column::make(system_types_[s]) : nullptr;
    if (key_decoder_) key_cols_ = {system_cols_[kKey]};
  }

  PartitionState* partition_state(const rd_kafka_message_t* m, int* topic_out) {
    int t = -1;
    for (size_t i = 0; i < state_->topic_handles.size(); ++i)
      if (state_->topic_handles[i] == m->rkt) t = static_cast<int>(i);
    if (t < 0) {
      t = topic_index(*state_, rd_kafka_topic_name(m->rkt));
      if (t < 0) return nullptr;
      if (state_->topic_handles.size() < state_->topics.size())
        state_->topic_handles.resize(state_->topics.size(), nullptr);
      state_->topic_handles[t] = m->rkt;
    }
    *topic_out = t;
    if (m->partition < 0) return nullptr;
    if (m->partition >= static_cast<int>(state_->partitions[t].size())) {
      std::lock_guard<std::mutex> lock(state_->mu);
      ensure_partition(*state_, t, m->partition);
    }
    return &state_->partitions[t][m->partition];
  }

  /// Hands a fetched message to the buffer (taking ownership), or handles an event at once
  /// when nothing of its partition is held (an end of partition is then true right now).
  void distribute(rd_kafka_message_t* m) {
    int t;
    PartitionState* ps = m->rkt && m->partition >= 0 ? partition_state(m, &t) : nullptr;
    int32_t id = ps ? static_cast<int32_t>(t) * kTopicStride + m->partition : -1;
    if (m->err && (!ps || !buffer_.holds(id))) {
      MessagePtr owned(m);
      size_t no_rows = 0;
      handle(m, &no_rows);
      return;
    }
    if (!ps) {  // a message of a topic we do not read
      rd_kafka_message_destroy(m);
      return;
    }
    if (!m->err && ps->at_eof) state_->set_eof(*ps, false);  // buffered here now
    buffer_.add(id, m);
  }

  /// Decodes the held messages of partition `id` into the batch, up to a full batch.
  size_t take(int32_t id) {
    start_batch();
    size_t rows = 0;
    while (rows < kMaxBatchMessages) {
      rd_kafka_message_t* m = buffer_.front(id);
      if (!m) break;
      // Held messages have left the cache since they were fetched: load the next ones early.
      if (const rd_kafka_message_t* soon = buffer_.peek(id, 8)) __builtin_prefetch(soon);
      if (const rd_kafka_message_t* next = buffer_.peek(id, 4)) {
        __builtin_prefetch(next->payload);
        __builtin_prefetch(next->key);
      }
      handle(m, &rows);
      buffer_.pop(id);
      if (state_->bounded && all_done()) break;
    }
    return rows;
  }

  /// A rebalance took partitions away: their held messages are the new owner's to read.
  void drop_revoked() {
    if (!state_->subscribed) return;
    int generation = state_->rebalances.load(std::memory_order_relaxed);
    if (generation == seen_rebalances_) return;
    seen_rebalances_ = generation;
    for (int32_t id : buffer_.partitions_held()) {
      size_t t = static_cast<size_t>(id / kTopicStride), p = static_cast<size_t>(id % kTopicStride);
      if (t >= state_->partitions.size() || p >= state_->partitions[t].size() ||
          !state_->partitions[t][p].assigned)
        buffer_.drop(id);
    }
  }

  void handle(rd_kafka_message_t* m, size_t* rows) {
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      troubled_ = false;
      int t;
      if (PartitionState* ps = m->rkt ? partition_state(m, &t) : nullptr) {
        // Everything before the end was handled (queue order): the position is the end, which
        // also lets a checkpoint name partitions that had nothing to read.
        if (ps->assigned) {
          ps->next_offset = std::max(ps->next_offset, m->offset);
          state_->set_eof(*ps, true);
        }
        if (state_->bounded && m->offset >= ps->end_offset) mark_done(t, m->partition, ps);
      }
      return;
    }
    if (m->err) {
      if (is_retryable(m->err) || m->err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
        note_trouble(m->err, rd_kafka_message_errstr(m));
        return;
      }
      std::string where = m->rkt ? fmt::format("reading Kafka topic '{}' partition {}",
                                               rd_kafka_topic_name(m->rkt), m->partition)
                                 : "reading " + uri_text_;
      throw kafka_error(m->err, where + ": " + rd_kafka_message_errstr(m));
    }
    troubled_ = false;
    int t;
    PartitionState* ps = partition_state(m, &t);
    if (!ps) return;
    if (state_->bounded) {
      if (ps->done) return;
      if (m->offset >= ps->end_offset) {
        mark_done(t, m->partition, ps);
        return;
      }
    }
    ps->next_offset = m->offset + 1;
    if (ps->at_eof) state_->set_eof(*ps, false);
    state_->bytes.fetch_add(static_cast<int64_t>(m->len + m->key_len), std::memory_order_relaxed);
    if ((need_value_ || key_decoder_) && !decode_value(m, *rows)) {
      if (state_->bounded && ps->next_offset >= ps->end_offset) mark_done(t, m->partition, ps);
      return;
    }
    append_system(m);
    ++*rows;
    if (state_->bounded && ps->next_offset >= ps->end_offset) mark_done(t, m->partition, ps);
  }

  void mark_done(int t, int32_t partition, PartitionState* ps) {
    ps->done = true;
    // Stop fetching what we will not read.
    PartitionListPtr list = make_partition_list(1);
    rd_kafka_topic_partition_list_add(list.get(), state_->topics[t].c_str(), partition);
    rd_kafka_pause_partitions(state_->consumer.get(), list.get());
  }

  /// Appends the decoded value (and, key_format = 'avro', key); false when the message was
  /// rejected (skip / dlq).
  bool decode_value(const rd_kafka_message_t* m, size_t rows) {
    std::string error;
    const char* topic = rd_kafka_topic_name(m->rkt);
    try {
      if (!need_value_) {
      } else if (!m->payload) {  // tombstone: every value column NULL
        for (auto& c : value_cols_) c->append_null();
      } else {
        decoder_->append(std::string_view(static_cast<const char*>(m->payload), m->len),
                         value_cols_);
      }
      if (key_decoder_) decode_key(m);
      return true;
    } catch (const Error& e) {
      // The schema registry could not be reached: not the message's fault, so no on_error.
      if (e.kind() == ErrorKind::kIo)
        throw Error(ErrorKind::kIo,
                    fmt::format("Kafka topic '{}' partition {} offset {}: {}", topic, m->partition,
                                m->offset, e.message()),
                    {}, e.retryable());
      error = e.message();
    } catch (const std::exception& e) {
      error = e.what();
    }
    truncate_columns(value_cols_, rows);
    if (key_decoder_) {
      // A failed record key left values in the struct's children only.
      if (key_is_record_) truncate_columns(system_cols_[kKey]->children(), rows);
      truncate_columns(key_cols_, rows);
    }
    switch (on_error_) {
      case OnError::kFail:
        throw Error(ErrorKind::kFormat,
                    fmt::format("Kafka topic '{}' partition {} offset {}: {} (on_error = 'skip' or "
                                "'dlq' to go on)",
                                topic, m->partition, m->offset, error));
      case OnError::kSkip:
        rejected_->fetch_add(1);
        return false;
      case OnError::kDlq:
        state_->dlq->send(m, error);
        rejected_->fetch_add(1);
        return false;
    }
    return false;
  }

  void decode_key(const rd_kafka_message_t* m) {
    Column& c = *system_cols_[kKey];
    if (!m->key) {
      c.append_null();
      return;
    }
    std::string_view key(static_cast<const char*>(m->key), m->key_len);
    try {
      if (key_is_record_) {
        key_decoder_->append(key, c.children());
        c.append_struct_row();
      } else {
        key_decoder_->append(key, key_cols_);
      }
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::kIo) throw;
      throw Error(e.kind(), "key: " + e.message());
    }
  }

  void append_system(const rd_kafka_message_t* m) {
    if (auto& c = system_cols_[kKey]; c && !key_decoder_) {
      if (m->key)
        c->append_string(std::string_view(static_cast<const char*>(m->key), m->key_len));
      else
        c->append_null();
    }
    if (auto& c = system_cols_[kPartition]) c->append<int32_t>(m->partition);
    if (auto& c = system_cols_[kOffset]) c->append<int64_t>(m->offset);
    if (auto& c = system_cols_[kTimestamp]) {
      rd_kafka_timestamp_type_t type;
      int64_t ms = rd_kafka_message_timestamp(m, &type);
      if (ms < 0 || type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE)
        c->append_null();
      else
        c->append<int64_t>(ms * 1000);
    }
    if (auto& c = system_cols_[kTopic]) c->append_string(rd_kafka_topic_name(m->rkt));
    if (auto& c = system_cols_[kHeaders]) {
      rd_kafka_headers_t* hdrs = nullptr;
      if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        Column& entries = c->child(0);
        const char* name;
        const void* val;
        size_t size;
        for (size_t i = 0; !rd_kafka_header_get_all(hdrs, i, &name, &val, &size); ++i) {
          entries.child(0).append_string(name);
          if (val)
            entries.child(1).append_string(std::string_view(static_cast<const char*>(val), size));
          else
            entries.child(1).append_null();
          entries.append_struct_row();
        }
      }
      c->append_list_end();
    }
  }

  void publish() {
    std::lock_guard<std::mutex> lock(state_->mu);
    for (size_t t = 0; t < state_->partitions.size(); ++t)
      for (size_t p = 0; p < state_->partitions[t].size(); ++p)
        if (state_->partitions[t][p].next_offset >= 0)
          state_->published[t][p] = state_->partitions[t][p].next_offset;
    // Nothing handed out yet but messages held: the first held one is next. A checkpoint then
    // names the partition (else a restore would start it per `start`).
    for (int32_t id : buffer_.partitions_held()) {
      size_t t = static_cast<size_t>(id / kTopicStride), p = static_cast<size_t>(id % kTopicStride);
      const rd_kafka_message_t* m = buffer_.front(id);
      if (t < state_->partitions.size() && p < state_->partitions[t].size() &&
          state_->partitions[t][p].next_offset < 0 && m &&
          (!m->err || m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF))
        state_->published[t][p] = m->offset;
    }
  }

  void emit(Batch* out, size_t rows) {
    publish();
    state_->rows.fetch_add(static_cast<int64_t>(rows), std::memory_order_relaxed);
    std::vector<ColumnPtr> cols;
    cols.reserve(out_map_.size());
    size_t nvalue = value_schema_->size();
    for (int i : out_map_)
      cols.push_back(i < static_cast<int>(nvalue) ? value_cols_[i] : system_cols_[i - nvalue]);
    *out = Batch(out_schema_, std::move(cols), rows);
  }

  // Copies, not a pointer to the source: a reader may outlive its source.
  std::shared_ptr<ConsumerState> state_;
  std::shared_ptr<std::atomic<int64_t>> rejected_;
  std::string uri_text_;
  std::string brokers_;
  int64_t connect_timeout_ms_;
  OnError on_error_;
  SchemaPtr value_schema_;
  SchemaPtr out_schema_;
  std::vector<int> out_map_;
  bool need_value_ = false;
  bool need_system_[kNumSystemColumns] = {};
  std::vector<DataType> system_types_;
  std::unique_ptr<MessageDecoder> decoder_;
  std::unique_ptr<MessageDecoder> key_decoder_;  // key_format = 'avro' and `_key` projected
  bool key_is_record_ = false;
  std::vector<ColumnPtr> key_cols_;  // {`_key` column} while key_decoder_ is set
  std::vector<ColumnPtr> value_cols_;
  ColumnPtr system_cols_[kNumSystemColumns];
  std::vector<rd_kafka_message_t*> messages_;
  size_t head_ = 0, tail_ = 0;  // messages_[head_, tail_) fetched, not distributed yet
  PartitionBuffer buffer_{kMaxBatchMessages, kMaxHeldMessages, kMaxHeldBytes};
  int seen_rebalances_ = 0;

  bool troubled_ = false;
  std::chrono::steady_clock::time_point next_group_check_{};
  std::chrono::steady_clock::time_point last_group_progress_{};
  int64_t group_committed_sum_ = -1;
  bool group_finished_ = false;  // once true, stays: the answer is checked several times a call
  std::chrono::steady_clock::time_point trouble_since_;
  std::string trouble_text_;
};

std::vector<std::unique_ptr<SourceReader>> KafkaSource::open(int parallelism) {
  if (state_) throw_internal_error("KafkaSource::open called twice");
  SchemaPtr full = schema();  // before connecting the real consumer: may sample
  auto state = std::make_shared<ConsumerState>();
  state->topics = uri_.topics;
  state->bounded = until_latest_;
  state->commit = !group_id_.empty();
  state->subscribed = !group_id_.empty();
  state->settle = std::chrono::milliseconds(group_settle_ms_);
  state->start = start_;
  state->restored = restored_;
  state->resuming = resuming_;
  state->consumer =
      make_consumer(uri_, group_id_, start_, passthrough_, state.get(), state->subscribed);
  rd_kafka_t* rk = state->consumer.get();
  auto counts = fetch_partition_counts(rk, uri_, connect_timeout_ms_);
  for (size_t t = 0; t < uri_.topics.size(); ++t) {
    state->partitions.emplace_back(counts[t]);
    state->published.emplace_back(counts[t], -1);
    state->acked.emplace_back(counts[t], -1);
    state->committed.emplace_back(counts[t], -1);
  }
  state->queue.reset(rd_kafka_queue_get_consumer(rk));
  if (on_error_ == OnError::kDlq)
    state->dlq = std::make_unique<DlqProducer>(dlq_uri_, passthrough_);

  if (state->subscribed) {
    auto topics = make_partition_list(static_cast<int>(uri_.topics.size()));
    for (const auto& t : uri_.topics)
      rd_kafka_topic_partition_list_add(topics.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
    if (auto err = rd_kafka_subscribe(rk, topics.get()))
      throw_kafka_error(err, "subscribing to " + uri_text_);
    if (until_latest_) {
      // The end of every partition now; members stop there whichever partitions they get.
      int timeout = static_cast<int>(std::min<int64_t>(connect_timeout_ms_, INT32_MAX));
      for (size_t t = 0; t < uri_.topics.size(); ++t)
        for (int p = 0; p < counts[t]; ++p) {
          int64_t lo = 0, hi = 0;
          if (auto err = rd_kafka_query_watermark_offsets(rk, uri_.topics[t].c_str(), p, &lo, &hi,
                                                          timeout))
            throw_kafka_error(
                err, fmt::format("reading the end of topic '{}' partition {}", uri_.topics[t], p));
          state->partitions[t][p].end_offset = hi;
        }
    }
  } else {
    auto list = make_partition_list(16);
    for (size_t t = 0; t < uri_.topics.size(); ++t)
      for (int p = 0; p < counts[t]; ++p) {
        auto* e = rd_kafka_topic_partition_list_add(list.get(), uri_.topics[t].c_str(), p);
        switch (start_.kind) {
          case StartPosition::Kind::kEarliest:
            e->offset = RD_KAFKA_OFFSET_BEGINNING;
            break;
          case StartPosition::Kind::kLatest:
            e->offset = RD_KAFKA_OFFSET_END;
            break;
          case StartPosition::Kind::kTimestamp:
            e->offset = start_.timestamp_ms;
            break;
          case StartPosition::Kind::kOffsets:
            e->offset = RD_KAFKA_OFFSET_BEGINNING;
            for (const auto& o : start_.offsets)
              if (o.partition == p && (o.topic.empty() || o.topic == uri_.topics[t]))
                e->offset = o.offset;
            break;
        }
      }
    int timeout = static_cast<int>(std::min<int64_t>(connect_timeout_ms_, INT32_MAX));
    if (start_.kind == StartPosition::Kind::kTimestamp) {
      if (auto err = rd_kafka_offsets_for_times(rk, list.get(), timeout))
        throw_kafka_error(err, "looking up offsets for start = timestamp on " + uri_text_);
    }
    if (state->commit && !state->resuming) {
      // A group's committed offsets win over `start` (resuming after a restart).
      PartitionListPtr committed(rd_kafka_topic_partition_list_copy(list.get()));
      if (auto err = rd_kafka_committed(rk, committed.get(), timeout))
        throw_kafka_error(err, "reading committed offsets of group '" + group_id_ + "'");
      for (int i = 0; i < committed->cnt; ++i)
        if (committed->elems[i].offset >= 0) list->elems[i].offset = committed->elems[i].offset;
    }
    // After restore(): the checkpoint's positions, `start` for partitions it does not name. The
    // group's commits are not used: they may have been made after the checkpoint.
    for (int i = 0; state->resuming && i < list->cnt; ++i) {
      auto& e = list->elems[i];
      int64_t off = state->take_restored(e.topic, e.partition);
      if (off != RD_KAFKA_OFFSET_INVALID) e.offset = off;
    }
    if (until_latest_) {
      for (int i = 0; i < list->cnt; ++i) {
        auto& e = list->elems[i];
        int t = topic_index(*state, e.topic);
        int64_t lo = 0, hi = 0;
        rd_kafka_resp_err_t err =
            rd_kafka_query_watermark_offsets(rk, e.topic, e.partition, &lo, &hi, timeout);
        if (err)
          throw_kafka_error(
              err, fmt::format("reading the end of topic '{}' partition {}", e.topic, e.partition));
        PartitionState& ps = state->partitions[t][e.partition];
        ps.end_offset = hi;
        int64_t from = e.offset == RD_KAFKA_OFFSET_BEGINNING ? lo
                       : e.offset == RD_KAFKA_OFFSET_END     ? hi
                                                             : e.offset;
        if (e.offset == RD_KAFKA_OFFSET_END || hi <= lo || from >= hi) ps.done = true;
      }
    }
    for (int i = 0; i < list->cnt; ++i) {
      int t = topic_index(*state, list->elems[i].topic);
      state->partitions[t][list->elems[i].partition].assigned = true;
    }
    if (auto err = rd_kafka_assign(rk, list.get()))
      throw_kafka_error(err, "assigning partitions of " + uri_text_);
  }
  state_ = state;
  std::vector<std::unique_ptr<SourceReader>> readers;
  readers.push_back(std::make_unique<KafkaReader>(this, state));
  return readers;
}

void KafkaSource::acknowledge() {
  if (!state_) return;
  // Dead letters first: a committed offset must not lose a rejected message.
  if (state_->dlq) state_->dlq->flush(30000);
  if (!state_->commit) return;
  auto list = make_partition_list(16);
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    for (size_t t = 0; t < state_->published.size(); ++t)
      for (size_t p = 0; p < state_->published[t].size(); ++p) {
        if (state_->published[t][p] >= 0) state_->acked[t][p] = state_->published[t][p];
        int64_t off = state_->acked[t][p];
        if (off < 0 || off == state_->committed[t][p]) continue;
        rd_kafka_topic_partition_list_add(list.get(), state_->topics[t].c_str(),
                                          static_cast<int32_t>(p))
            ->offset = off;
      }
  }
  if (list->cnt == 0) return;
  auto rebalancing = [](rd_kafka_resp_err_t e) {
    return e == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS ||
           e == RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION || e == RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID;
  };
  // A coordinator that moves or is loading answers with retryable errors for a moment: retry a
  // few times (the commit is idempotent) before failing the query, whose restart would then
  // re-read from the last commit.
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  int64_t backoff_ms = kCommitBackoffMs;
  for (int attempt = 1;; ++attempt) {
    for (int i = 0; i < list->cnt; ++i) list->elems[i].err = RD_KAFKA_RESP_ERR_NO_ERROR;
    err = rd_kafka_commit(state_->consumer.get(), list.get(), 0);
    if (!err)
      for (int i = 0; i < list->cnt && !err; ++i) err = list->elems[i].err;
    // A rebalance is under way: the acknowledged offsets stay in `acked`, and the revocation
    // (or the next acknowledge(), if the partitions stay) commits them. Nothing to fail for.
    if (state_->subscribed && rebalancing(err)) return;
    if (!err || !is_retryable(err) || attempt >= kCommitAttempts) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(backoff_ms));
    backoff_ms *= 2;
  }
  if (err)
    throw_kafka_error(
        err, fmt::format("committing offsets of group '{}'{}", group_id_,
                         is_retryable(err) ? fmt::format(" ({} attempts)", kCommitAttempts) : ""));
  std::lock_guard<std::mutex> lock(state_->mu);
  for (int i = 0; i < list->cnt; ++i) {
    int t = topic_index(*state_, list->elems[i].topic);
    state_->committed[t][list->elems[i].partition] = list->elems[i].offset;
  }
}

int KafkaSource::revocations() const { return state_ ? state_->revocations.load() : 0; }

std::pair<PartitionListPtr, GroupMetadataPtr> KafkaSource::transaction_offsets() const {
  if (!state_ || !state_->commit) return {};
  auto list = make_partition_list(16);
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    for (size_t t = 0; t < state_->published.size(); ++t)
      for (size_t p = 0; p < state_->published[t].size(); ++p)
        if (state_->published[t][p] >= 0)
          rd_kafka_topic_partition_list_add(list.get(), state_->topics[t].c_str(),
                                            static_cast<int32_t>(p))
              ->offset = state_->published[t][p];
  }
  return {std::move(list),
          GroupMetadataPtr(rd_kafka_consumer_group_metadata(state_->consumer.get()))};
}

std::unique_ptr<Source> make_kafka_source(const std::string& uri, const Options& options) {
  return std::make_unique<KafkaSource>(uri, options);
}

}  // namespace velo::kafka
