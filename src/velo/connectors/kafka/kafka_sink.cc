#include "velo/connectors/kafka/kafka_sink.h"

#include <simdjson.h>

#include <random>
#include <thread>

#include "velo/connectors/kafka/avro_message.h"
#include "velo/connectors/kafka/json_schema_message.h"
#include "velo/connectors/kafka/protobuf_message.h"

namespace velo::kafka {

namespace {

void delivery_cb(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* reports = static_cast<DeliveryReports*>(opaque);
  if (!m->err) {
    reports->delivered.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (reports->failed.fetch_add(1) == 0) {
    std::lock_guard<std::mutex> lock(reports->mu);
    reports->first_error =
        fmt::format("{} ({})", rd_kafka_err2str(m->err), rd_kafka_err2name(m->err));
  }
}

/// The Avro schema of one column: the type of that field in the record from_velo() makes.
avro::AvroSchemaPtr avro_schema_of_column(const Field& field) {
  std::string record = avro::AvroSchema::from_velo(Schema({field}), "Key")->to_json();
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  if (parser.parse(record).get(e)) throw_internal_error("from_velo wrote invalid JSON");
  return avro::AvroSchema::parse(simdjson::minify(e["fields"].at(0)["type"]));
}

/// `schema` with its columns named like the fields of `record`, which from_velo(schema) made:
/// from_velo turns column names into valid Avro names ("a-b" -> "a_b") and its fields follow the
/// columns one to one, so they match by position.
SchemaPtr with_field_names_of(const Schema& schema, const avro::AvroSchema& record) {
  std::vector<Field> fields = schema.fields();
  for (size_t i = 0; i < fields.size(); ++i) fields[i].name = record.root().fields[i].name;
  return std::make_shared<const Schema>(std::move(fields));
}

int find_column(const Schema& schema, const std::string& name, const char* option) {
  int i = schema.find(name);
  if (i < 0)
    throw_user_error("kafka sink option '{}': no column '{}' in {}", option, name,
                     schema.to_string());
  return i;
}

}  // namespace

KafkaSink::KafkaSink(const std::string& uri, const Options& options) : uri_(parse_kafka_uri(uri)) {
  if (uri_.topics.size() != 1)
    throw_user_error("a Kafka sink writes to exactly one topic: '{}'", uri);
  format_ = parse_message_format(options.get_string("format", "json"), "format");
  std::string delim = options.get_string("delimiter", ",");
  if (delim == "\\t" || delim == "tab") delim = "\t";
  if (delim.size() != 1)
    throw_user_error("option 'delimiter' must be one character, got '{}'", delim);
  delimiter_ = delim[0];
  key_option_ = options.get_string("key", "");
  headers_option_ = options.get_string("headers", "");
  timestamp_option_ = options.get_string("timestamp", "");
  preserve_timestamps_ = options.get_bool("preserve_timestamps", true);
  rate_limit_ = options.get_double("rate_limit", 0);
  if (rate_limit_ < 0) throw_user_error("option 'rate_limit' must be >= 0 messages/s");
  delivery_timeout_ms_ = options.get_duration_us("delivery_timeout", 60'000'000) / 1000;
  connect_timeout_ms_ = options.get_duration_us("connect_timeout", 30'000'000) / 1000;
  exactly_once_ = options.get_bool("exactly_once", false);
  transactional_id_ = options.get_string("transactional_id", "");
  if (exactly_once_ && transactional_id_.empty()) {
    std::random_device rd;
    transactional_id_ = fmt::format("velo-{}-{:08x}", uri_.topics[0], rd());
  }
  passthrough_ = options.with_prefix("kafka.");
  if (auto url = options.get("schema_registry")) registry_ = schema_registry_for(*url);
  if (auto json = options.get("avro_schema"))
    avro_schema_ = parse_avro_option(*json, "avro_schema");
  strategy_ = parse_subject_name_strategy(options.get_string("subject_name_strategy", "topic"));
  record_name_ = options.get_string("record_name", "");
  key_record_name_ = options.get_string("key_record_name", "Key");
  value_subject_ = options.get_string("value_subject", "");
  key_subject_ = options.get_string("key_subject", "");
  std::string key_format = Options::lower(options.get_string("key_format", "string"));
  if (key_format == "avro")
    key_avro_ = true;
  else if (key_format != "string" && key_format != "raw" && key_format != "text")
    throw_not_supported("kafka sink key_format '{}' (keys are text or avro)", key_format);
  if (avro_schema_ && format_ != MessageFormat::kAvro)
    throw_user_error("option 'avro_schema' needs format = 'avro'");
  if (registry_ && format_ != MessageFormat::kAvro && format_ != MessageFormat::kJson &&
      format_ != MessageFormat::kProtobuf && !key_avro_)
    throw_user_error(
        "option 'schema_registry' needs format = 'avro', 'json' or 'protobuf', or key_format = "
        "'avro'");
  if (format_ == MessageFormat::kProtobuf && !registry_)
    throw_user_error(
        "format = 'protobuf' needs schema_registry = 'http://host:port' (Confluent wire format)");
}

std::string KafkaSink::subject_for(const std::string& given, const std::string& record,
                                   bool key) const {
  if (!given.empty()) return given;
  return subject_name(strategy_, uri_.topics[0], record, key);
}

KafkaSink::~KafkaSink() {
  if (!producer_) return;
  // An unfinished transaction is aborted (commit() already began the next, empty one).
  if (exactly_once_)
    abort();
  else
    rd_kafka_flush(producer_.get(), 5000);
}

void KafkaSink::open(SchemaPtr schema) {
  schema_ = schema;
  if (key_avro_ || key_option_.find(',') != std::string::npos) {
    // Several key columns (a composite PRIMARY KEY): the key is a JSON object of them (or, for
    // key_format = 'avro', a record).
    std::string names = key_option_;
    if (names.empty()) {
      if (schema->find("_key") < 0)
        throw_user_error(
            "kafka sink key_format = 'avro' needs key = 'col[, col]' or a _key column");
      names = "_key";
    }
    std::vector<Field> fields;
    size_t pos = 0;
    while (pos <= names.size()) {
      size_t comma = std::min(names.find(',', pos), names.size());
      std::string name = names.substr(pos, comma - pos);
      name.erase(0, name.find_first_not_of(" \t"));
      name.erase(name.find_last_not_of(" \t") + 1);
      int i = find_column(*schema, name, "key");
      key_columns_.push_back(i);
      fields.push_back(schema->field(i));
      pos = comma + 1;
    }
    key_schema_ = std::make_shared<const Schema>(std::move(fields));
    if (!key_avro_) key_encoder_ = make_encoder(MessageFormat::kJson, key_schema_, ',');
  } else {
    key_col_ =
        !key_option_.empty() ? find_column(*schema, key_option_, "key") : schema->find("_key");
  }
  headers_col_ = !headers_option_.empty() ? find_column(*schema, headers_option_, "headers")
                                          : schema->find("_headers");
  timestamp_col_ = !timestamp_option_.empty() ? find_column(*schema, timestamp_option_, "timestamp")
                                              : schema->find("_timestamp");
  if (headers_col_ >= 0) {
    const DataType& t = schema->field(headers_col_).type;
    if (t.id() != TypeId::kMap || !t.children()[0].type.children()[0].type.is_binary_like() ||
        !t.children()[0].type.children()[1].type.is_binary_like())
      throw_user_error("kafka sink headers column '{}' must be MAP<STRING, STRING|BYTES>, is {}",
                       schema->field(headers_col_).name, t.to_string());
  }
  if (timestamp_col_ >= 0 && schema->field(timestamp_col_).type.id() != TypeId::kTimestamp)
    throw_user_error("kafka sink timestamp column '{}' must be TIMESTAMP, is {}",
                     schema->field(timestamp_col_).name,
                     schema->field(timestamp_col_).type.to_string());
  if (!preserve_timestamps_) timestamp_col_ = -1;

  std::vector<Field> fields;
  for (size_t i = 0; i < schema->size(); ++i) {
    if (velo::is_system_column(schema->field(i).name)) continue;
    if (static_cast<int>(i) == headers_col_ && !headers_option_.empty()) continue;
    value_columns_.push_back(static_cast<int>(i));
    fields.push_back(schema->field(i));
  }
  value_schema_ = std::make_shared<const Schema>(std::move(fields));
  if (format_ == MessageFormat::kAvro) {
    avro::AvroSchemaPtr writer = avro_schema_;
    SchemaPtr columns = value_schema_;
    if (!writer) {
      writer = avro::AvroSchema::from_velo(*value_schema_);
      columns = with_field_names_of(*value_schema_, *writer);
    }
    if (registry_) {
      value_subject_ = subject_for(value_subject_, writer->root().name, false);
      value_schema_id_ = registry_->register_schema(value_subject_, *writer);
    }
    encoder_ = make_avro_encoder(columns, writer, value_schema_id_);
  } else if (format_ == MessageFormat::kJson && registry_) {
    // JSON Schema subjects: a schema derived from the columns, messages framed with its id.
    std::string title = record_name_.empty() ? "Record" : record_name_;
    RegisteredSchema json;
    json.type = "JSON";
    json.text = json_schema_from_velo(*value_schema_, title);
    value_subject_ = subject_for(value_subject_, title, false);
    value_schema_id_ = registry_->register_raw(value_subject_, json);
    encoder_ = make_json_registry_encoder(value_schema_id_);
  } else if (format_ == MessageFormat::kProtobuf) {
    std::string message = record_name_.empty() ? "Record" : record_name_;
    RegisteredSchema proto;
    proto.type = "PROTOBUF";
    proto.text = proto_from_velo(*value_schema_, message);
    // Build the encoder first: a schema libprotobuf rejects must not reach the registry.
    make_protobuf_encoder(value_schema_, proto.text, message, 0);
    value_subject_ = subject_for(value_subject_, message, false);
    value_schema_id_ = registry_->register_raw(value_subject_, proto);
    encoder_ = make_protobuf_encoder(value_schema_, proto.text, message, value_schema_id_);
  } else {
    encoder_ = make_encoder(format_, value_schema_, delimiter_);
  }
  if (key_avro_) {
    avro::AvroSchemaPtr writer = key_schema_->size() == 1
                                     ? avro_schema_of_column(key_schema_->field(0))
                                     : avro::AvroSchema::from_velo(*key_schema_, "Key");
    SchemaPtr columns =
        key_schema_->size() == 1 ? key_schema_ : with_field_names_of(*key_schema_, *writer);
    if (registry_) {
      key_subject_ = subject_for(
          key_subject_,
          writer->root().type == avro::AvroType::kRecord ? writer->root().name : key_record_name_,
          true);
      key_schema_id_ = registry_->register_schema(key_subject_, *writer);
    }
    key_encoder_ = make_avro_encoder(columns, writer, key_schema_id_);
  }

  std::map<std::string, std::string> defaults = {{"acks", "all"},
                                                 {"reconnect.backoff.max.ms", "2000"}};
  if (exactly_once_) defaults["transactional.id"] = transactional_id_;
  ConfPtr conf = make_conf(uri_.brokers, defaults, passthrough_);
  rd_kafka_conf_set_dr_msg_cb(conf.get(), delivery_cb);
  rd_kafka_conf_set_opaque(conf.get(), &reports_);
  producer_ = make_handle(RD_KAFKA_PRODUCER, std::move(conf));
  topic_.reset(rd_kafka_topic_new(producer_.get(), uri_.topics[0].c_str(), nullptr));
  // Fail early and clearly when the brokers are down (retrying up to connect_timeout) or the
  // topic does not exist, rather than at the first flush.
  fetch_partition_counts(producer_.get(), uri_, connect_timeout_ms_);
  if (exactly_once_) {
    check_txn(rd_kafka_init_transactions(producer_.get(), static_cast<int>(connect_timeout_ms_)),
              "initializing transactions");
    check_txn(rd_kafka_begin_transaction(producer_.get()), "beginning a transaction");
    in_transaction_ = true;
  }
  last_refill_ = std::chrono::steady_clock::now();
  tokens_ = rate_limit_ > 0 ? std::min(rate_limit_, 1.0) : 0;
}

std::string KafkaSink::describe() const {
  std::string s = "KafkaSink " + uri_.to_string();
  if (!key_option_.empty()) s += " key=" + key_option_;
  const char* format = format_ == MessageFormat::kAvro       ? "avro"
                       : format_ == MessageFormat::kProtobuf ? "protobuf"
                       : format_ == MessageFormat::kJson     ? "json"
                                                             : nullptr;
  if (value_schema_id_ >= 0 && format)
    s += fmt::format(" {} schema_id={} subject={} ({})", format, value_schema_id_, value_subject_,
                     registry_->masked_url());
  else if (format_ == MessageFormat::kAvro)
    s += " avro";
  if (rate_limit_ > 0) s += fmt::format(" rate_limit={}/s", rate_limit_);
  return s;
}

void KafkaSink::throw_if_failed() {
  int64_t failed = reports_.failed.load();
  if (failed == 0) return;
  std::lock_guard<std::mutex> lock(reports_.mu);
  throw Error(ErrorKind::kIo,
              fmt::format("{} message(s) could not be delivered to {}: {}", failed,
                          uri_.to_string(), reports_.first_error),
              {}, true);
}

void KafkaSink::acquire_token() {
  // Token bucket holding at most one second of messages.
  while (true) {
    auto now = std::chrono::steady_clock::now();
    double elapsed = std::chrono::duration<double>(now - last_refill_).count();
    last_refill_ = now;
    tokens_ = std::min(rate_limit_, tokens_ + elapsed * rate_limit_);
    if (tokens_ >= 1) {
      tokens_ -= 1;
      return;
    }
    double wait_s = (1 - tokens_) / rate_limit_;
    rd_kafka_poll(producer_.get(), 0);
    std::this_thread::sleep_for(std::chrono::duration<double>(std::min(wait_s, 0.1)));
  }
}

void KafkaSink::write(const Batch& batch) {
  if (!producer_) throw_internal_error("KafkaSink::write before open");
  throw_if_failed();
  if (!batch.append_only()) {
    if (format_ != MessageFormat::kJson)
      throw_user_error(
          "the Kafka sink {} gets updates/deletes, which only format = 'json' can carry (as an "
          "_op field)",
          uri_.to_string());
    with_op_ = true;
  }
  std::vector<ColumnPtr> value_cols;
  value_cols.reserve(value_columns_.size());
  for (int i : value_columns_) value_cols.push_back(batch.columns[i]);
  Batch values(value_schema_, std::move(value_cols), batch.num_rows);

  const Column* key = key_col_ >= 0 ? batch.columns[key_col_].get() : nullptr;
  const Column* headers = headers_col_ >= 0 ? batch.columns[headers_col_].get() : nullptr;
  const Column* ts = timestamp_col_ >= 0 ? batch.columns[timestamp_col_].get() : nullptr;
  bool key_is_text = key && key->type().is_binary_like();
  Batch keys;
  if (key_encoder_) {
    std::vector<ColumnPtr> cols;
    for (int i : key_columns_) cols.push_back(batch.columns[i]);
    keys = Batch(key_schema_, std::move(cols), batch.num_rows);
  }

  for (size_t row = 0; row < batch.num_rows; ++row) {
    if (rate_limit_ > 0) acquire_token();
    scratch_.clear();
    bool has_value = encoder_->encode(values, row, &scratch_);
    if (with_op_ && has_value && !scratch_.empty() && scratch_.back() == '}') {
      scratch_.pop_back();
      scratch_ += scratch_.size() > 1 ? ",\"_op\":\"" : "\"_op\":\"";
      scratch_ += row_kind_symbol(batch.row_kind(row));
      scratch_ += "\"}";
    }
    const void* key_ptr = nullptr;
    size_t key_len = 0;
    if (key_encoder_) {
      key_scratch_.clear();
      key_encoder_->encode(keys, row, &key_scratch_);
      key_ptr = key_scratch_.data();
      key_len = key_scratch_.size();
    } else if (key && !key->is_null(row)) {
      if (key_is_text) {
        std::string_view k = key->string_at(row);
        key_ptr = k.data();
        key_len = k.size();
      } else {
        key_scratch_ = key->value_at(row).to_string();
        key_ptr = key_scratch_.data();
        key_len = key_scratch_.size();
      }
    }
    int64_t timestamp_ms = ts && !ts->is_null(row) ? ts->value<int64_t>(row) / 1000 : 0;
    HeadersPtr hdrs;
    if (headers && !headers->is_null(row)) {
      const Column& entries = headers->child(0);
      int32_t begin = headers->offsets()[row], end = headers->offsets()[row + 1];
      hdrs.reset(rd_kafka_headers_new(static_cast<size_t>(end - begin)));
      for (int32_t e = begin; e < end; ++e) {
        std::string name(entries.child(0).string_at(e));
        if (entries.child(1).is_null(e)) {
          rd_kafka_header_add(hdrs.get(), name.c_str(), -1, nullptr, 0);
        } else {
          std::string_view v = entries.child(1).string_at(e);
          rd_kafka_header_add(hdrs.get(), name.c_str(), -1, v.data(), v.size());
        }
      }
    }
    while (true) {
      rd_kafka_resp_err_t err = rd_kafka_producev(
          producer_.get(), RD_KAFKA_V_RKT(topic_.get()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
          RD_KAFKA_V_VALUE(has_value ? scratch_.data() : nullptr, has_value ? scratch_.size() : 0),
          RD_KAFKA_V_KEY(key_ptr, key_len), RD_KAFKA_V_TIMESTAMP(timestamp_ms),
          RD_KAFKA_V_HEADERS(hdrs.get()), RD_KAFKA_V_END);
      if (!err) {
        (void)hdrs.release();  // the message owns its headers now
        break;
      }
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
        throw_kafka_error(err, "writing to " + uri_.to_string());
      // Backpressure: serve delivery reports until the queue has room.
      rd_kafka_poll(producer_.get(), 50);
      throw_if_failed();
    }
    ++rows_;
  }
  rd_kafka_poll(producer_.get(), 0);
}

std::string KafkaSink::prepare() {
  if (!producer_) return "";
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(delivery_timeout_ms_);
  while (rd_kafka_outq_len(producer_.get()) > 0) {
    if (std::chrono::steady_clock::now() >= deadline)
      throw Error(
          ErrorKind::kIo,
          fmt::format("{} message(s) to {} not acknowledged within delivery_timeout ({} ms)",
                      rd_kafka_outq_len(producer_.get()), uri_.to_string(), delivery_timeout_ms_),
          {}, true);
    rd_kafka_flush(producer_.get(), std::min(remaining_ms(deadline), 1000));
  }
  throw_if_failed();
  if (exactly_once_ && offsets_source_) {
    auto [offsets, group] = offsets_source_->transaction_offsets();
    if (offsets && offsets->cnt > 0)
      check_txn(rd_kafka_send_offsets_to_transaction(producer_.get(), offsets.get(), group.get(),
                                                     static_cast<int>(delivery_timeout_ms_)),
                "sending consumer offsets to the transaction");
  }
  return exactly_once_ ? transactional_id_ : "";
}

void KafkaSink::commit(const std::string& handle) {
  if (!exactly_once_ || !in_transaction_) return;
  check_txn(rd_kafka_commit_transaction(producer_.get(), static_cast<int>(delivery_timeout_ms_)),
            "committing the transaction");
  in_transaction_ = false;
  check_txn(rd_kafka_begin_transaction(producer_.get()), "beginning a transaction");
  in_transaction_ = true;
}

void KafkaSink::check_txn(rd_kafka_error_t* error, const char* what) {
  if (!error) return;
  KafkaErrorPtr owned(error);
  bool retryable = rd_kafka_error_is_retriable(error) || rd_kafka_error_txn_requires_abort(error);
  throw Error(ErrorKind::kIo,
              fmt::format("kafka sink {} ({}): {} while {}", uri_.to_string(), transactional_id_,
                          rd_kafka_error_string(error), what),
              {}, retryable && !rd_kafka_error_is_fatal(error));
}

void KafkaSink::abort() noexcept {
  // Messages not yet sent are dropped; in-flight ones may still land (at-least-once sink).
  if (!producer_) return;
  if (exactly_once_ && in_transaction_) {
    // Aborting discards everything of the transaction, also what was already sent.
    if (rd_kafka_error_t* e = rd_kafka_abort_transaction(producer_.get(), 30000))
      rd_kafka_error_destroy(e);  // nothing more to do: abort() must not throw
    in_transaction_ = false;
    return;
  }
  rd_kafka_purge(producer_.get(), RD_KAFKA_PURGE_F_QUEUE);
}

std::unique_ptr<Sink> make_kafka_sink(const std::string& uri, const Options& options) {
  return std::make_unique<KafkaSink>(uri, options);
}

}  // namespace velo::kafka
