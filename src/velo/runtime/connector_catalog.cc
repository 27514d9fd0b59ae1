#include "velo/runtime/connector_catalog.h"

#include "velo/connectors/registry.h"
#include "velo/types/error.h"

namespace velo {

namespace {
// Entry options first; options written in the statement win.
Options merged(const Options& base, const Options& over) {
  // Start from the statement's options so a deferred copy (several INTO targets) stays one.
  Options out = over;
  for (const auto& [k, v] : base.all())
    if (!over.has(k)) out.set(k, v);
  return out;
}
}  // namespace

std::shared_ptr<Source> ConnectorCatalog::open_source_uri(const std::string& uri,
                                                          const Options& options) {
  return std::shared_ptr<Source>(make_source(uri, options));
}

std::shared_ptr<Source> ConnectorCatalog::open_source_name(const std::string& name,
                                                           const Options& options) {
  if (const ConnectorEntry* e = config_.find_source(name))
    return std::shared_ptr<Source>(make_source(e->uri, merged(e->options, options)));
  if (config_.default_kafka.empty()) return nullptr;
  return std::shared_ptr<Source>(
      make_source("kafka://" + config_.default_kafka + "/" + name, options));
}

std::unique_ptr<Sink> ConnectorCatalog::open_sink(const sql::SinkTarget& target,
                                                  const Options& options) {
  if (!target.is_name) return make_sink(target.target, options);
  const ConnectorEntry* e = config_.find_sink(target.target);
  if (!e) e = config_.find_source(target.target);  // a configured topic is a fine sink too
  if (e) return make_sink(e->uri, merged(e->options, options));
  if (config_.default_kafka.empty())
    throw_user_error(
        "sink '{}' is not a URI, not a configured data_sinks entry, and no default Kafka cluster "
        "is "
        "configured (--default-kafka or default_kafka in the config)",
        target.target);
  return make_sink("kafka://" + config_.default_kafka + "/" + target.target, options);
}

void ConnectorCatalog::add_source(ConnectorEntry entry) {
  std::string key = Options::lower(entry.name);
  config_.sources[key] = std::move(entry);
}

void ConnectorCatalog::add_sink(ConnectorEntry entry) {
  std::string key = Options::lower(entry.name);
  config_.sinks[key] = std::move(entry);
}

}  // namespace velo
