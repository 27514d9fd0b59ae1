#include "velo/connectors/kafka/avro_message.h"

#include <vector>

#include "velo/formats/avro/avro_datum.h"

namespace velo::kafka {

namespace {

class AvroMessageDecoder : public MessageDecoder {
 public:
  explicit AvroMessageDecoder(AvroDecodeSpec spec) : spec_(std::move(spec)) {
    if (!spec_.registry) {
      if (!spec_.writer) throw_internal_error("avro decoder without registry or writer schema");
      plain_ = std::make_unique<avro::DatumDecoder>(spec_.writer, spec_.target, spec_.reader);
    }
  }

  void append(std::string_view payload, std::vector<ColumnPtr>& columns) override {
    if (!spec_.registry) {
      decode(*plain_, payload, columns, -1);
      return;
    }
    avro::ConfluentMessage m = avro::parse_confluent(payload);
    const avro::DatumDecoder* d = m.schema_id == last_id_ && last_ ? last_ : lookup(m.schema_id);
    decode(*d, m.datum, columns, m.schema_id);
  }

 private:
  struct Entry {
    int32_t id;
    std::unique_ptr<avro::DatumDecoder> decoder;  // null when `error` is set
    std::string error;
  };

  static void decode(const avro::DatumDecoder& d, std::string_view datum,
                     const std::vector<ColumnPtr>& columns, int32_t id) {
    const auto* p = reinterpret_cast<const uint8_t*>(datum.data());
    const uint8_t* end = p + datum.size();
    const uint8_t* q;
    try {
      q = d.decode(p, end, columns);
    } catch (const Error& e) {
      if (id < 0) throw;
      throw Error(e.kind(), fmt::format("Avro datum of schema id {}: {}", id, e.message()));
    }
    if (q != end)
      throw_format_error(
          "{} byte(s) left after the Avro datum{}: the message does not match "
          "its schema",
          end - q, id < 0 ? std::string() : fmt::format(" of schema id {}", id));
  }

  const avro::DatumDecoder* lookup(int32_t id) {
    Entry* entry = nullptr;
    for (auto& e : entries_)
      if (e.id == id) entry = &e;
    if (!entry) {
      Entry fresh{id, nullptr, ""};
      try {
        avro::AvroSchemaPtr writer = spec_.registry->schema_by_id(id);
        fresh.decoder = std::make_unique<avro::DatumDecoder>(writer, spec_.target, spec_.reader);
      } catch (const Error& e) {
        if (e.kind() == ErrorKind::kIo) throw;  // transient: ask again for the next message
        fresh.error = e.message();
      }
      entries_.push_back(std::move(fresh));
      entry = &entries_.back();
    }
    if (!entry->decoder) throw_format_error("schema id {} cannot be read: {}", id, entry->error);
    last_id_ = id;
    last_ = entry->decoder.get();
    return last_;
  }

  AvroDecodeSpec spec_;
  std::unique_ptr<avro::DatumDecoder> plain_;
  std::vector<Entry> entries_;
  int32_t last_id_ = -1;
  const avro::DatumDecoder* last_ = nullptr;
};

class AvroMessageEncoder : public MessageEncoder {
 public:
  AvroMessageEncoder(const SchemaPtr& schema, avro::AvroSchemaPtr writer, int32_t schema_id)
      : encoder_(schema, std::move(writer)), schema_id_(schema_id) {}

  bool encode(const Batch& batch, size_t row, std::string* out) override {
    if (schema_id_ >= 0) avro::append_confluent_header(schema_id_, out);
    buf_.clear();
    encoder_.encode(batch.columns, row, &buf_);
    out->append(reinterpret_cast<const char*>(buf_.data()), buf_.size());
    return true;
  }

 private:
  avro::DatumEncoder encoder_;
  int32_t schema_id_;
  Buffer buf_;
};

}  // namespace

std::unique_ptr<MessageDecoder> make_avro_decoder(AvroDecodeSpec spec) {
  return std::make_unique<AvroMessageDecoder>(std::move(spec));
}

std::unique_ptr<MessageEncoder> make_avro_encoder(const SchemaPtr& schema,
                                                  avro::AvroSchemaPtr writer, int32_t schema_id) {
  return std::make_unique<AvroMessageEncoder>(schema, std::move(writer), schema_id);
}

avro::AvroSchemaPtr parse_avro_option(const std::string& json, const char* option) {
  try {
    return avro::AvroSchema::parse(json);
  } catch (const Error& e) {
    throw_user_error("option '{}' is not a valid Avro schema: {}", option, e.message());
  }
}

}  // namespace velo::kafka
