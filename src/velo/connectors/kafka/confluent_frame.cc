#include "velo/connectors/kafka/confluent_frame.h"

#include "velo/types/error.h"

namespace velo::kafka {

ConfluentFrame parse_confluent_frame(std::string_view message, const char* format) {
  constexpr size_t kHeader = 5;
  if (message.size() < kHeader)
    throw_format_error("Confluent-framed {} message of {} bytes is shorter than its 5-byte header",
                       format, message.size());
  if (message[0] != 0)
    throw_format_error(
        "Confluent-framed {} message starts with byte {:#04x}, not the magic byte 0 (written "
        "without a schema registry?)",
        format, static_cast<uint8_t>(message[0]));
  uint32_t id = 0;
  for (size_t i = 1; i < kHeader; ++i) id = (id << 8) | static_cast<uint8_t>(message[i]);
  return {static_cast<int32_t>(id), message.substr(kHeader)};
}

}  // namespace velo::kafka
