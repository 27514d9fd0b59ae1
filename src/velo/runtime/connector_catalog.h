#pragma once

#include <string>

#include "velo/sql/binder/catalog.h"

namespace velo {

/// Catalog over the connector registry: URIs go to their scheme's factory; unqualified names go
/// to a topic of the default Kafka cluster when one is configured.
class ConnectorCatalog : public sql::Catalog {
 public:
  explicit ConnectorCatalog(std::string default_kafka) : default_kafka_(std::move(default_kafka)) {}
  std::shared_ptr<Source> open_source_uri(const std::string& uri, const Options& options) override;
  std::shared_ptr<Source> open_source_name(const std::string& name, const Options& options) override;
  std::unique_ptr<Sink> open_sink(const sql::SinkTarget& target, const Options& options) override;

 private:
  std::string default_kafka_;
};

}  // namespace velo
