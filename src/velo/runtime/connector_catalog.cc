#include "velo/runtime/connector_catalog.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

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

// Event-time options belong to every source: read them before the connector checks its own.
std::shared_ptr<Source> open_with_event_time(const std::string& uri, const Options& options) {
  EventTimeSpec given = EventTimeSpec::from_options(options, EventTimeSpec{});
  int64_t refresh = options.get_duration_us("refresh_interval", 0);
  if (refresh < 0) throw_user_error("refresh_interval must be positive");
  std::shared_ptr<Source> source(make_source(uri, options));
  source->set_refresh_interval(refresh);
  // A connector may bring its own default (nexmark: date_time, 4 s); options override it.
  EventTimeSpec spec = EventTimeSpec::from_options(options, source->event_time());
  if (!given.column.empty() || source->event_time().enabled()) {
    if (spec.column.empty()) spec.column = given.column;
    SchemaPtr schema = source->schema();
    int c = schema->find(spec.column);
    if (c < 0) {
      std::vector<std::string> names;
      for (const auto& f : schema->fields()) names.push_back(f.name);
      throw_user_error("event_time '{}' is not a column of {} (columns: {})", spec.column, uri,
                       fmt::format("{}", fmt::join(names, ", ")));
    }
    if (schema->field(c).type.id() != TypeId::kTimestamp)
      throw_user_error(
          "event_time column '{}' must be a TIMESTAMP, not {} (CAST it in the source's schema)",
          spec.column, schema->field(c).type.to_string());
    source->set_event_time(std::move(spec));
  }
  return source;
}
}  // namespace

std::shared_ptr<Source> ConnectorCatalog::open_source_uri(const std::string& uri,
                                                          const Options& options) {
  return open_with_event_time(uri, options);
}

std::shared_ptr<Source> ConnectorCatalog::open_source_name(const std::string& name,
                                                           const Options& options) {
  if (const ConnectorEntry* e = config_.find_source(name))
    return open_with_event_time(e->uri, merged(e->options, options));
  if (config_.default_kafka.empty()) return nullptr;
  return open_with_event_time("kafka://" + config_.default_kafka + "/" + name, options);
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
