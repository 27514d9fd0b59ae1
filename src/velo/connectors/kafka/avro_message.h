#pragma once

#include <cstdint>
#include <memory>

#include "velo/connectors/kafka/message_codec.h"
#include "velo/connectors/kafka/schema_registry.h"
#include "velo/formats/avro/avro_schema.h"

namespace velo::kafka {

/// Where the schemas of Avro messages come from.
struct AvroDecodeSpec {
  /// Set: messages are in the Confluent wire format (magic byte 0, 4-byte big-endian schema id,
  /// datum) and writer schemas are fetched from the registry by id (once per id).
  std::shared_ptr<SchemaRegistry> registry;
  /// Without a registry: the schema every message was written with (plain datums, no framing).
  avro::AvroSchemaPtr writer;
  /// Supplies defaults and aliases for target columns a writer schema lacks; may be null.
  avro::AvroSchemaPtr reader;
  /// The columns produced (a reader's velo_schema(), or a declared schema).
  SchemaPtr target;
};

/// A decoder of Avro messages into `spec.target`. Each writer schema is resolved against the
/// target once (avro::DatumDecoder) and reused; a message with the schema id of the message
/// before it costs no lookup. A datum must fill its message exactly. Errors: kFormat for a
/// malformed message, an unknown schema id or a writer schema that cannot be read as the target
/// (remembered per id, so a run of such messages asks the registry once); kIo when the registry
/// cannot be reached (not remembered: the next message retries).
std::unique_ptr<MessageDecoder> make_avro_decoder(AvroDecodeSpec spec);

/// An encoder of rows of `schema` as datums of `writer`, framed with the Confluent header for
/// `schema_id` when it is >= 0, plain datums otherwise.
std::unique_ptr<MessageEncoder> make_avro_encoder(const SchemaPtr& schema,
                                                  avro::AvroSchemaPtr writer, int32_t schema_id);

/// Parses the JSON of option `option` (avro_schema, key_avro_schema) as a user error when invalid.
avro::AvroSchemaPtr parse_avro_option(const std::string& json, const char* option);

}  // namespace velo::kafka
