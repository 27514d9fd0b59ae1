#pragma once

#include <string>

#include "velo/runtime/config.h"
#include "velo/sql/binder/catalog.h"

namespace velo {

/// Catalog over the connector registry: URIs go to their scheme's factory; unqualified names go
/// to a named entry (YAML config `data_sources`/`data_sinks`, or CREATE SOURCE/SINK and the
/// property form of this session), else to a topic of the default Kafka cluster.
class ConnectorCatalog : public sql::Catalog {
 public:
  explicit ConnectorCatalog(Config config) : config_(std::move(config)) {}
  std::shared_ptr<Source> open_source_uri(const std::string& uri, const Options& options) override;
  std::shared_ptr<Source> open_source_name(const std::string& name,
                                           const Options& options) override;
  std::unique_ptr<Sink> open_sink(const sql::SinkTarget& target, const Options& options) override;

  /// Declares a named source / sink for the rest of the session (replacing one of that name).
  void add_source(ConnectorEntry entry);
  void add_sink(ConnectorEntry entry);
  const Config& config() const { return config_; }

 private:
  Config config_;
};

}  // namespace velo
