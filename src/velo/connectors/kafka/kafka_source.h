#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "velo/connectors/kafka/kafka_client.h"
#include "velo/connectors/kafka/kafka_uri.h"
#include "velo/connectors/kafka/message_codec.h"
#include "velo/connectors/kafka/schema_registry.h"
#include "velo/io/options.h"
#include "velo/io/source.h"

namespace velo::kafka {

/// What to do with a message that does not decode into the schema.
enum class OnError { kFail, kSkip, kDlq };

/// Where a partition starts: offsets, a timestamp, or the ends of the log.
struct StartPosition {
  enum class Kind { kEarliest, kLatest, kTimestamp, kOffsets };
  Kind kind = Kind::kEarliest;
  int64_t timestamp_ms = 0;
  /// kOffsets: (topic or "" for every topic, partition, offset); partitions not listed start at
  /// the earliest offset.
  struct Entry {
    std::string topic;
    int32_t partition;
    int64_t offset;
  };
  std::vector<Entry> offsets;
};

/// Parses `start`: 'earliest' | 'latest' | 'YYYY-MM-DD HH:MM:SS[.ffffff][Z|+hh:mm]' |
/// 'p:offset,p:offset' | 'topic:p:offset,...'. Throws a user error otherwise.
StartPosition parse_start_position(const std::string& text);

struct ConsumerState;

/// A reader's position() before it knows any offset: every partition then starts per `start`.
inline constexpr std::string_view kNoPosition = "-";

/// `kafka://host:port[,host:port]/topic[,topic]` as a source (issue 4).
///
/// Options: group_id, start, until = 'latest', format / key_format, schema ('name TYPE, ...';
/// otherwise inferred from up to sample_size messages for json), delimiter (csv), on_error
/// ('fail' | 'skip' | 'dlq' with dlq = 'kafka://.../topic'), connect_timeout (default 30s),
/// kafka.<prop> (passed to librdkafka).
///
/// format = 'avro' (and key_format = 'avro'): with schema_registry = 'http://[user:pass@]host:port'
/// messages are in the Confluent wire format (magic byte 0, 4-byte schema id, datum); writer
/// schemas are fetched by id and cached, and resolved (Avro schema evolution) against the reader
/// schema: avro_schema = '<JSON>' when given, else the latest schema of subject value_subject
/// (default '<first topic>-value'; key_subject, default '<first topic>-key', for keys). Without a
/// registry messages are plain datums written with avro_schema (key_avro_schema for keys). A
/// declared `schema` picks the value columns; otherwise they are the reader schema's fields (one
/// column `value` for a non-record schema). With key_format = 'avro', `_key` is the key schema's
/// type (a STRUCT for a record). A message whose schema id is unknown or unreadable is an
/// undecodable message (on_error); a registry that cannot be reached fails the read.
/// format = 'json' with schema_registry reads JSON Schema subjects (json_schema_message.h) and
/// format = 'protobuf' PROTOBUF subjects (protobuf_message.h), both Confluent-framed; without a
/// declared schema their columns come from the value subject's latest schema. Subjects follow
/// subject_name_strategy ('topic' default, 'record', 'topic_record'; the record strategies need
/// record_name / key_record_name); record_name also picks the protobuf message that types the
/// columns.
///
/// Schema = the value columns, then the system columns `_key` STRING (BYTES when
/// key_format = 'bytes'; key_format = 'json' keeps the JSON text), `_partition` INT32, `_offset`
/// INT64, `_timestamp` TIMESTAMP (NULL when the message has none), `_topic` STRING, `_headers`
/// MAP<STRING, BYTES> (header order kept, duplicates kept). System columns cost nothing unless
/// projected; when no value column is projected the values are not decoded at all (and so not
/// checked against on_error).
///
/// Reading: without group_id every partition is assigned to the one consumer (no group, no
/// commits). With group_id the consumer subscribes and shares the partitions with every other
/// member of the group (kafka.session.timeout.ms defaults to 10 s); offsets are committed only by
/// acknowledge() (at-least-once), and a restart resumes from them (`start` applies to partitions
/// without a committed offset). A revoked partition is not committed beyond what was
/// acknowledged, and its messages still held by the reader are dropped: its next owner reads
/// them again from the last commit. until = 'latest' stops each partition at its end when the
/// source opened; with a group a member ends once its assigned partitions are there and no
/// rebalance happened for group_settle (default session timeout + 5 s), so that the partitions of a
/// member that died reach a survivor before it ends.
///
/// Batches hold the messages of one partition (Batch::partition = the partition, + 2^20 per
/// topic after the first), so event-time watermarks are tracked per partition; a partition is
/// idle while it is at its end with nothing of it buffered. Checkpoints: a reader's position()
/// is "topic:partition:next_offset,..." over the partitions it handed messages out of (or saw
/// the end of); restore() starts those partitions there, before committed offsets and `start`.
class KafkaSource : public Source {
 public:
  /// Reads and validates the options (marking them used); connects lazily.
  KafkaSource(const std::string& uri, const Options& options);
  ~KafkaSource() override;

  /// Declared schema, or inferred by sampling the topic (connects; may throw Error(kIo)).
  SchemaPtr schema() const override;
  SourceCapabilities capabilities() const override;
  /// Connects (retrying with backoff up to connect_timeout) and returns one reader: a single
  /// consumer reads all assigned partitions. Call once.
  std::vector<std::unique_ptr<SourceReader>> open(int parallelism) override;
  std::string describe() const override;
  SourceProgress progress() const override;
  int64_t rows_rejected() const override { return rejected_->load(); }

  /// Commits, for group_id, the positions of every message returned in a batch so far (the
  /// engine calls it after its sinks committed), retrying retryable commit errors a few times
  /// with backoff. Flushes the dead-letter producer first (a dead letter that cannot be written
  /// throws before anything is committed). Thread-safe; blocking. No-op without group_id.
  void acknowledge() override;
  /// Next offsets to read, "p:offset,..." (one topic) or "topic:p:offset,..." (several): a valid
  /// `start` value for resuming. Thread-safe.
  std::string position() const;
  bool can_checkpoint() const override { return true; }
  /// Positions of readers of an earlier run ("[topic:]p:offset,..." or kNoPosition): on its
  /// first assignment a partition starts at its offset there, or per `start` when no position
  /// names it; the group's committed offsets are not used (they may be past the checkpoint).
  /// Later assignments (rebalances) resume from the group's commits as usual. Before open().
  void restore(const std::vector<std::string>& positions) override;
  /// Rebalances that revoked partitions from this member so far (for tests and metrics).
  /// Thread-safe.
  int revocations() const;
  /// Exactly-once Kafka->Kafka: the positions acknowledge() would commit and the consumer's group
  /// metadata, for a transactional sink's send_offsets_to_transaction. Both null without
  /// group_id or before open(). Thread-safe.
  std::pair<PartitionListPtr, GroupMetadataPtr> transaction_offsets() const;

 private:
  friend class KafkaReader;

  KafkaUri uri_;
  std::string uri_text_;
  std::string group_id_;  // empty = none given (a unique one is used, nothing committed)
  StartPosition start_;
  bool until_latest_ = false;
  MessageFormat format_ = MessageFormat::kJson;
  MessageFormat key_format_ = MessageFormat::kString;
  char delimiter_ = ',';
  OnError on_error_ = OnError::kFail;
  std::string dlq_uri_;
  int64_t connect_timeout_ms_ = 30000;
  int64_t group_settle_ms_ = 0;
  int sample_size_ = 100;
  int64_t sample_timeout_ms_ = 5000;
  std::map<std::string, std::string> passthrough_;
  std::vector<StartPosition::Entry> restored_;  // restore(), topics filled in
  bool resuming_ = false;                       // restore() was called

  // format / key_format = 'avro'
  std::shared_ptr<SchemaRegistry> registry_;
  avro::AvroSchemaPtr avro_schema_;          // option avro_schema
  avro::AvroSchemaPtr key_avro_schema_;      // option key_avro_schema
  std::string value_subject_, key_subject_;  // empty: a record strategy without record_name
  std::string record_name_;                  // option record_name (protobuf: the message)

  /// `subject`, or a user error saying how to name it when a record strategy left it empty.
  const std::string& registry_subject(const std::string& subject) const;

  mutable std::mutex schema_mu_;
  mutable avro::AvroSchemaPtr value_reader_;  // resolved by schema()
  mutable avro::AvroSchemaPtr key_reader_;
  mutable SchemaPtr key_columns_;  // what an Avro key decodes to (a record's fields, or `value`)
  mutable bool key_is_record_ = false;
  mutable SchemaPtr value_schema_;  // declared or inferred
  mutable SchemaPtr full_schema_;

  std::shared_ptr<ConsumerState> state_;
  std::shared_ptr<std::atomic<int64_t>> rejected_ = std::make_shared<std::atomic<int64_t>>(0);
};

/// Registry factory for "kafka" sources.
std::unique_ptr<Source> make_kafka_source(const std::string& uri, const Options& options);

}  // namespace velo::kafka
