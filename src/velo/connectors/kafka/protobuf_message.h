#pragma once

#include <memory>
#include <string>

#include "velo/connectors/kafka/message_codec.h"
#include "velo/connectors/kafka/schema_registry.h"

namespace velo::kafka {

/// Protobuf messages in the Confluent wire format (magic byte 0, 4-byte big-endian schema id,
/// the message-index array as zigzag varints -- a single 0 byte for the file's first message --
/// then the serialized message). Schemas come from the registry as .proto text, parsed at
/// runtime by libprotoc's parser, or as base64 of a serialized FileDescriptorProto (what
/// Confluent's Python serializer registers); imports resolve through the schema's references
/// (fetched by subject and version) and libprotobuf's well-known types. Messages are decoded
/// with DynamicMessage.
///
/// Types: double/float -> DOUBLE; int32/sint32/sfixed32 -> INT; uint32/fixed32 and the 64-bit
/// integers -> BIGINT (a uint64 above 2^63-1 is an undecodable message); bool; string; bytes;
/// enum -> STRING (the value's name); message -> STRUCT; repeated -> LIST; map -> MAP;
/// google.protobuf.Timestamp -> TIMESTAMP, Duration -> INTERVAL, the wrappers (Int64Value, ...)
/// -> their nullable scalar, Struct/Value/ListValue/Any -> STRING (their JSON). A field with
/// presence (message, proto3 `optional`, oneof member, proto2) that is not set is NULL; a
/// proto3 scalar without presence reads as its default. Recursive messages are not supported.

/// The columns of message `message_name` (full or simple name; "" = the file's first message)
/// of a registered PROTOBUF schema. Errors: kFormat when the schema does not parse or build,
/// kUser when no message has that name.
SchemaPtr protobuf_velo_schema(const RegisteredSchema& schema, SchemaRegistry* registry,
                               const std::string& message_name);

/// A decoder of Confluent-framed protobuf messages into `target` (columns matched to fields by
/// name; a column no field names is NULL). Each (schema id, message index) is resolved once.
/// Errors as the Avro decoder: kFormat for a malformed message or an unusable schema (remembered
/// per id), kIo when the registry cannot be reached.
std::unique_ptr<MessageDecoder> make_protobuf_decoder(std::shared_ptr<SchemaRegistry> registry,
                                                      SchemaPtr target);

/// The .proto source (proto3) of a message `message_name` ("pkg.Name" puts it in package pkg)
/// with one field per column of `schema`, numbered 1..n in order. BOOLEAN bool, INT int32,
/// BIGINT int64, DOUBLE double, DECIMAL/INTERVAL/STRING string, BYTES bytes, DATE int32 (days
/// since 1970-01-01), TIMESTAMP google.protobuf.Timestamp, STRUCT a nested message, LIST
/// repeated, MAP map (keys STRING/INT/BIGINT/BOOLEAN). Nullable scalars are `optional`. Throws
/// not-supported for what protobuf cannot say (LIST of LIST, LIST/MAP map values, other keys).
std::string proto_from_velo(const Schema& schema, const std::string& message_name);

/// An encoder of rows of `schema` as messages of the proto_from_velo(schema, message_name)
/// source `proto_text`, framed for `schema_id`. NULL LIST elements and MAP values cannot be
/// written (kFormat error).
std::unique_ptr<MessageEncoder> make_protobuf_encoder(const SchemaPtr& schema,
                                                      const std::string& proto_text,
                                                      const std::string& message_name,
                                                      int32_t schema_id);

}  // namespace velo::kafka
