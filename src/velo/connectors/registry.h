#pragma once

#include <memory>
#include <string>
#include <vector>

#include "velo/io/options.h"
#include "velo/io/source.h"

namespace velo {

/// Builds a source from a URI and its WITH options. The factory consumes the options it
/// understands (Options getters mark them used); the caller then rejects unknown ones.
using SourceFactory = std::unique_ptr<Source> (*)(const std::string& uri, const Options& options);
using SinkFactory = std::unique_ptr<Sink> (*)(const std::string& uri, const Options& options);

/// URI scheme -> factories (ARCHITECTURE.md §3 Registry). Plain paths use scheme "file".
/// Object-store schemes (s3, gs, azure) use the file connector over their FileSystem.
void register_source(const std::string& scheme, SourceFactory factory);
void register_sink(const std::string& scheme, SinkFactory factory);

/// Throws Error(kNotSupported) "connector 'iceberg' is not available yet" for unknown schemes.
std::unique_ptr<Source> make_source(const std::string& uri, const Options& options);
std::unique_ptr<Sink> make_sink(const std::string& uri, const Options& options);
/// "kafka" for "kafka://h:9092/t", "file" for "/tmp/x.csv" and "file:///x".
std::string uri_scheme(const std::string& uri);
bool has_source(const std::string& scheme);

/// Registers every connector compiled into this binary. Explicit, called once by main().
void register_builtin_connectors();

/// Per-connector registration functions called by register_builtin_connectors().
void register_file_connector();
/// s3, gs, azure, abfs, abfss, https (Azure Blob): the file connector over object stores.
void register_object_store_connector();
void register_kafka_connector();
void register_nexmark_connector();
void register_stdout_connector();
void register_blackhole_connector();

}  // namespace velo
