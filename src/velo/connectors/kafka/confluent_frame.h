#pragma once

#include <cstdint>
#include <string_view>

namespace velo::kafka {

/// A message in the Confluent wire format: magic byte 0, 4-byte big-endian schema id, body.
struct ConfluentFrame {
  int32_t schema_id = 0;
  std::string_view body;
};

/// Splits `message`; throws a kFormat error naming `format` ("JSON", "protobuf") when it is
/// shorter than the header or does not start with the magic byte.
ConfluentFrame parse_confluent_frame(std::string_view message, const char* format);

}  // namespace velo::kafka
