#include "velo/io/source.h"

namespace velo {

SchemaPtr Source::output_schema() const {
  SchemaPtr full = schema();
  if (spec_.projection.empty()) return full;
  std::vector<Field> fields;
  for (int i : spec_.projection) fields.push_back(full->field(i));
  return std::make_shared<const Schema>(std::move(fields));
}

}  // namespace velo

namespace velo {
bool is_system_column(std::string_view name) {
  static const char* kNames[] = {"_key", "_partition", "_offset", "_timestamp", "_headers", "_topic"};
  if (name.rfind("_metadata.", 0) == 0) return true;
  for (const char* n : kNames)
    if (name == n) return true;
  return false;
}
}  // namespace velo
