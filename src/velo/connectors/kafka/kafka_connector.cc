#include "velo/connectors/kafka/kafka_sink.h"
#include "velo/connectors/kafka/kafka_source.h"
#include "velo/connectors/registry.h"

namespace velo {

void register_kafka_connector() {
  register_source("kafka", &kafka::make_kafka_source);
  register_sink("kafka", &kafka::make_kafka_sink);
}

}  // namespace velo
