#include "velo/runtime/connector_catalog.h"

#include "velo/connectors/registry.h"
#include "velo/types/error.h"

namespace velo {

std::shared_ptr<Source> ConnectorCatalog::open_source_uri(const std::string& uri, const Options& options) {
  return std::shared_ptr<Source>(make_source(uri, options));
}

std::shared_ptr<Source> ConnectorCatalog::open_source_name(const std::string& name, const Options& options) {
  if (default_kafka_.empty()) return nullptr;
  return std::shared_ptr<Source>(make_source("kafka://" + default_kafka_ + "/" + name, options));
}

std::unique_ptr<Sink> ConnectorCatalog::open_sink(const sql::SinkTarget& target, const Options& options) {
  if (target.is_name) {
    if (default_kafka_.empty())
      throw_user_error("sink '{}' is not a URI and no default Kafka cluster is configured", target.target);
    return make_sink("kafka://" + default_kafka_ + "/" + target.target, options);
  }
  return make_sink(target.target, options);
}

}  // namespace velo
