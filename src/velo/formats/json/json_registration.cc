// Kept apart from json_format.cc so code that uses JsonFormat directly (tests, tools) does not
// pull in the format registry.
#include "velo/formats/json/json_format.h"

namespace velo {

void register_json_format() {
  register_format(std::make_unique<JsonFormat>(), {"json", "jsonl", "ndjson"});
}

}  // namespace velo
