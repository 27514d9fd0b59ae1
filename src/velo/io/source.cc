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
