#pragma once

// Helpers of the schema-registry format tests (JSON Schema, protobuf): batches of Values, a sink
// run, python scripts run with /usr/bin/python3 (Confluent's serializers are the independent
// client), and rows as text.

#include <unistd.h>

#include <algorithm>
#include <functional>

#include "../fake_schema_registry.h"
#include "../kafka_test_util.h"

namespace velo::kafka::testing {

/// Rows [start, end) of `schema` made by `row`.
inline Batch make_rows(const SchemaPtr& schema, int start, int end,
                       const std::function<std::vector<Value>(int)>& row) {
  std::vector<ColumnPtr> cols;
  for (const auto& f : schema->fields()) cols.push_back(Column::make(f.type));
  for (int i = start; i < end; ++i) {
    auto values = row(i);
    for (size_t c = 0; c < cols.size(); ++c) cols[c]->append_value(values[c]);
  }
  return Batch(schema, std::move(cols), end - start);
}

inline void sink_all(Sink& sink, const SchemaPtr& schema, const Batch& batch) {
  sink.open(schema);
  sink.write(batch);
  sink.prepare();
  sink.commit("");
}

inline std::string row_text(const std::vector<Value>& row) {
  std::string s;
  for (size_t c = 0; c < row.size(); ++c) s += (c ? "|" : "") + row[c].to_string();
  return s;
}

inline std::vector<std::string> sorted_rows(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

/// Runs `script` with /usr/bin/python3 and `args`; returns its stdout (stderr goes along).
inline std::string run_python(const std::string& script, const std::string& args) {
  std::string file = temp_file(script);
  std::string out = run(fmt::format("/usr/bin/python3 {} {} 2>&1", file, args));
  unlink(file.c_str());
  return out;
}

/// The message of the velo::Error `f` throws (a test failure when it throws none).
inline std::string error_message_of(const std::function<void()>& f, ErrorKind* kind = nullptr) {
  try {
    f();
  } catch (const Error& e) {
    if (kind) *kind = e.kind();
    return e.message();
  }
  ADD_FAILURE() << "no error thrown";
  return "";
}

/// Projects the first `n` columns of `source` (the value columns) plus `extra` system columns.
inline void project_values(Source& source, size_t n, const std::vector<std::string>& extra = {}) {
  ScanSpec spec;
  for (size_t c = 0; c < n; ++c) spec.projection.push_back(static_cast<int>(c));
  for (const auto& name : extra) spec.projection.push_back(source.schema()->find(name));
  source.apply(spec);
}

}  // namespace velo::kafka::testing
