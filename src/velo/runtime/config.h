#pragma once

#include <map>
#include <string>
#include <string_view>

#include "velo/io/options.h"

namespace velo {

/// A named source or sink: the URI its connector is chosen by plus its options. Comes from the
/// YAML config (`data_sources:` / `data_sinks:`) or from Velostream's property form
/// (`'orders.type' = 'kafka_source', 'orders.topic.name' = 'orders'`).
struct ConnectorEntry {
  std::string name;
  std::string uri;
  Options options;
  std::string origin;  // "velostream.yaml:12" or "CREATE STREAM properties", for error messages
};

/// The `--config velostream.yaml` file (or VELO_CONFIG):
///
///   default_kafka: "localhost:9092"          # or {brokers: ...}; unqualified names are topics
///   data_sources:
///     orders_kafka: {type: kafka, brokers: "localhost:9092", topic: orders, format: json}
///     orders_historical: {type: s3, bucket: data-lake, prefix: orders/, format: parquet}
///   data_sinks:
///     lake: {type: file, path: "out/", format: parquet}
///
/// Every scalar may use `${ENV}` or `${ENV:-default}` (`$$` is a literal `$`); nested maps
/// flatten to dotted option names (`kafka: {security.protocol: SSL}` -> `kafka.security.protocol`).
struct Config {
  std::string default_kafka;
  std::map<std::string, ConnectorEntry> sources;  // keyed by lower-case name
  std::map<std::string, ConnectorEntry> sinks;

  /// Reads and validates a YAML file; errors name the file and line.
  static Config load_file(const std::string& path);
  /// Parses YAML text; `origin` names it in errors.
  static Config parse(std::string_view yaml, const std::string& origin);

  const ConnectorEntry* find_source(const std::string& name) const;
  const ConnectorEntry* find_sink(const std::string& name) const;
};

/// Replaces `${NAME}` and `${NAME:-default}` with environment values. An unset variable without
/// a default is a user error naming it and `where`.
std::string substitute_env(std::string_view text, const std::string& where);

/// Builds a connector entry from a `type` and its properties, the shape shared by YAML entries
/// and the property form. Types: kafka (kafka_source, kafka_sink), file (file_source,
/// file_sink), s3, gcs/gs, azure, iceberg, delta, hudi, postgres-cdc, mysql-cdc, mongodb-cdc,
/// redis, postgresql, mysql, nexmark, stdout; or an explicit `uri`. Properties that name the
/// location (topic, brokers, path, bucket, prefix, ...) go into the URI, the rest stay options.
/// `config_file` loads more properties from a YAML file (Velostream's 'src.config_file').
ConnectorEntry make_connector_entry(const std::string& name, const Options& properties,
                                    const std::string& default_kafka, const std::string& origin);

}  // namespace velo
