#pragma once

#include <memory>
#include <string>

#include "velo/io/options.h"
#include "velo/io/source.h"
#include "velo/sql/parser/ast.h"

namespace velo::sql {

/// Where the binder finds sources and sinks: URIs through the connector registry, names through
/// the YAML config or declared sources. Implemented by the runtime.
class Catalog {
 public:
  virtual ~Catalog() = default;
  /// Source for FROM 'uri' [WITH (options)]. Throws for unknown schemes / bad options.
  virtual std::shared_ptr<Source> open_source_uri(const std::string& uri, const Options& options) = 0;
  /// Source for an unqualified name; nullptr when the name is unknown.
  virtual std::shared_ptr<Source> open_source_name(const std::string& name, const Options& options) = 0;
  /// Sink for an INTO target with the statement's trailing WITH options.
  virtual std::unique_ptr<Sink> open_sink(const SinkTarget& target, const Options& options) = 0;
};

}  // namespace velo::sql
