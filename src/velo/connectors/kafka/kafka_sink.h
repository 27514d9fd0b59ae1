#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "velo/connectors/kafka/kafka_client.h"
#include "velo/connectors/kafka/kafka_source.h"
#include "velo/connectors/kafka/kafka_uri.h"
#include "velo/connectors/kafka/message_codec.h"
#include "velo/connectors/kafka/schema_registry.h"
#include "velo/io/options.h"
#include "velo/io/source.h"

namespace velo::kafka {

/// Delivery outcome counters shared with librdkafka's delivery-report callback.
struct DeliveryReports {
  std::atomic<int64_t> delivered{0};
  std::atomic<int64_t> failed{0};
  std::mutex mu;
  std::string first_error;  // guarded by mu
};

/// `kafka://host:port[,host:port]/topic` as a sink (issue 4). One message per row.
///
/// Options: format (json default | csv | raw/string | bytes | avro | protobuf), delimiter (csv),
/// key = 'col' (the message key, as text; several columns 'a, b' give a JSON object key
/// {"a":..,"b":..}; a column named `_key` is used when no key option is given), headers = 'col' (a
/// MAP column; `_headers` when present), timestamp = 'col' (a TIMESTAMP column; `_timestamp` when
/// present) written as the message timestamp unless preserve_timestamps = false (then the broker
/// time), rate_limit (messages/s, token bucket), kafka.<prop> (passed to librdkafka),
/// connect_timeout (default 30s: open() waits that long for brokers that are down) and
/// delivery_timeout (default 60s, for prepare()). `_key`, `_headers`, `_timestamp` and the other
/// Kafka system columns (`_partition`, `_offset`, `_topic`) are never written into the value;
/// a `key = 'col'` column stays in the value.
/// format = 'avro': the writer schema is avro_schema = '<JSON>' or, by default, derived from the
/// value columns (avro::AvroSchema::from_velo, record "Record"); with schema_registry =
/// 'http://[user:pass@]host:port' it is registered at open() under value_subject (default
/// '<topic>-value') and every message is framed with its id (Confluent wire format), otherwise
/// messages are plain datums. key_format = 'avro' writes the key columns the same way (subject
/// key_subject, default '<topic>-key'; one key column gives a schema of its type, several a
/// record).
/// format = 'json' with schema_registry registers a JSON Schema derived from the value columns
/// (json_schema_from_velo, title record_name or "Record") and frames every JSON message with its
/// id; format = 'protobuf' (needs schema_registry) registers proto3 source derived from them
/// (proto_from_velo, message record_name or "Record") and writes framed protobuf messages.
/// Subjects follow subject_name_strategy ('topic' default, 'record', 'topic_record' with the Avro
/// record's name or record_name; key_record_name for a non-record Avro key) unless value_subject /
/// key_subject name them.
/// When a batch is not append-only, json values get an `_op` field ('+I', '-U', '+U', '-D')
/// from then on; other formats refuse such batches.
/// Delivery: at-least-once (acks=all): prepare() waits for every delivery report and throws
/// when any message failed; commit() does nothing. exactly_once = true makes the producer
/// transactional (transactional_id, default "velo-<topic>-<random>"): what is written between two
/// commits is published atomically (readers with isolation.level=read_committed see all or none
/// of it); prepare() flushes and, when a source was given with read_offsets_from(), adds its
/// consumer offsets to the transaction; commit() commits it; abort() aborts it.
class KafkaSink : public Sink {
 public:
  KafkaSink(const std::string& uri, const Options& options);
  ~KafkaSink() override;

  /// Creates the producer and checks that the brokers answer and the topic exists (blocking, up
  /// to connect_timeout).
  void open(SchemaPtr schema) override;
  /// Queues the batch's rows for delivery; blocks while librdkafka's queue is full or the rate
  /// limit is reached. Throws when an earlier delivery failed.
  void write(const Batch& batch) override;
  /// Flushes: waits until every queued message is acknowledged by the broker.
  std::string prepare() override;
  /// Commits the transaction (exactly_once) and starts the next; otherwise nothing.
  void commit(const std::string& handle) override;
  void abort() noexcept override;
  std::string describe() const override;
  int64_t rows_written() const override { return rows_; }
  /// Exactly-once Kafka->Kafka: prepare() sends `source`'s consumer offsets in the transaction.
  /// `source` must outlive the sink.
  void read_offsets_from(const KafkaSource* source) { offsets_source_ = source; }
  /// Messages the broker acknowledged so far.
  int64_t messages_delivered() const { return reports_.delivered.load(); }

 private:
  void throw_if_failed();
  /// Throws a velo::Error for a transactional API error (kIo, retryable when librdkafka says so).
  void check_txn(rd_kafka_error_t* error, const char* what);
  void acquire_token();
  /// `given` (value_subject / key_subject), else the strategy's subject for `record`.
  std::string subject_for(const std::string& given, const std::string& record, bool key) const;

  KafkaUri uri_;
  MessageFormat format_ = MessageFormat::kJson;
  char delimiter_ = ',';
  std::string key_option_, headers_option_, timestamp_option_;
  bool preserve_timestamps_ = true;
  double rate_limit_ = 0;  // messages/s, 0 = none
  int64_t delivery_timeout_ms_ = 60000;
  int64_t connect_timeout_ms_ = 30000;
  bool exactly_once_ = false;
  std::string transactional_id_;
  bool in_transaction_ = false;
  const KafkaSource* offsets_source_ = nullptr;
  std::map<std::string, std::string> passthrough_;
  std::shared_ptr<SchemaRegistry> registry_;
  avro::AvroSchemaPtr avro_schema_;  // option avro_schema
  SubjectNameStrategy strategy_ = SubjectNameStrategy::kTopic;
  std::string record_name_;      // option record_name: "" = the Avro schema's, else "Record"
  std::string key_record_name_;  // option key_record_name (a non-record Avro key's name)
  std::string value_subject_, key_subject_;  // given, else set at open() by the strategy
  bool key_avro_ = false;                    // key_format = 'avro'
  int32_t value_schema_id_ = -1;  // registered at open (avro / json / protobuf with a registry)
  int32_t key_schema_id_ = -1;

  SchemaPtr schema_;
  SchemaPtr value_schema_;
  std::vector<int> value_columns_;
  int key_col_ = -1, headers_col_ = -1, timestamp_col_ = -1;
  std::vector<int> key_columns_;  // key = 'a, b': a JSON object key
  SchemaPtr key_schema_;
  std::unique_ptr<MessageEncoder> key_encoder_;
  bool with_op_ = false;
  std::unique_ptr<MessageEncoder> encoder_;

  DeliveryReports reports_;
  HandlePtr producer_;
  TopicPtr topic_;
  std::string scratch_;
  std::string key_scratch_;
  int64_t rows_ = 0;

  // Token bucket for rate_limit.
  double tokens_ = 0;
  std::chrono::steady_clock::time_point last_refill_;
};

/// Registry factory for "kafka" sinks.
std::unique_ptr<Sink> make_kafka_sink(const std::string& uri, const Options& options);

}  // namespace velo::kafka
