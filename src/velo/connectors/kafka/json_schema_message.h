#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "velo/connectors/kafka/message_codec.h"
#include "velo/connectors/kafka/schema_registry.h"

namespace velo::kafka {

/// Columns typed by a JSON Schema (draft 4-2020 subset, what Confluent's JSON serializers write):
/// an object's `properties` in their order; `type` integer -> BIGINT, number -> DOUBLE, boolean,
/// string (format date-time -> TIMESTAMP, date -> DATE, otherwise STRING), object -> STRUCT (or
/// MAP<STRING, T> with only additionalProperties), array -> LIST; a ["null", T] type list or a
/// oneOf/anyOf of null and one schema is T; local $refs (#/definitions/.., #/$defs/..) are
/// followed. Anything else (several non-null alternatives, no type) is STRING holding the JSON
/// text. Throws a kFormat error when the text is not JSON or the root is not an object schema.
SchemaPtr velo_schema_from_json_schema(std::string_view json_schema);

/// A JSON Schema (draft-07) for rows of `schema` as append_json_row writes them: `title` is the
/// record name, non-nullable columns are `required`, nullable ones allow null.
std::string json_schema_from_velo(const Schema& schema, const std::string& title);

/// The `title` of a JSON Schema (its record name for the record subject strategies), "" if none.
std::string json_schema_title(std::string_view json_schema);

/// A decoder of Confluent-framed JSON messages (magic byte 0, 4-byte schema id, JSON): checks
/// that the registry knows the id as a JSON schema (fetched once per id; unknown ids and other
/// schema types are kFormat errors), then decodes the JSON into `target` by name. The payload is
/// not validated against the schema beyond the column types.
std::unique_ptr<MessageDecoder> make_json_registry_decoder(std::shared_ptr<SchemaRegistry> registry,
                                                           SchemaPtr target);

/// An encoder writing the 5-byte header for `schema_id`, then the row as JSON.
std::unique_ptr<MessageEncoder> make_json_registry_encoder(int32_t schema_id);

}  // namespace velo::kafka
