// Kept apart from avro_format.cc so code that uses AvroFormat directly (tests, tools) does not
// pull in the format registry.
#include "velo/formats/avro/avro_format.h"

namespace velo {

void register_avro_format() { register_format(std::make_unique<AvroFormat>(), {"avro"}); }

}  // namespace velo
