#include "velo/io/source.h"

#include "velo/types/error.h"

namespace velo {

SchemaPtr Source::output_schema() const {
  SchemaPtr full = schema();
  if (spec_.projection.empty()) return full;
  std::vector<Field> fields;
  for (int i : spec_.projection) fields.push_back(full->field(i));
  return std::make_shared<const Schema>(std::move(fields));
}

void Source::restore(const std::vector<std::string>&) {
  throw_not_supported("resuming {} from a checkpoint", describe());
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

#include "velo/types/error.h"

namespace velo {
EventTimeSpec EventTimeSpec::from_options(const Options& options, EventTimeSpec spec) {
  if (auto c = options.get("event_time")) spec.column = *c;
  if (auto c = options.get("timestamp_column")) spec.column = *c;
  for (const char* key : {"max_out_of_orderness", "watermark_delay", "out_of_orderness"})
    spec.max_out_of_orderness = options.get_duration_us(key, spec.max_out_of_orderness);
  spec.idle_timeout = options.get_duration_us("idle_timeout", spec.idle_timeout);
  spec.allowed_lateness = options.get_duration_us("allowed_lateness", spec.allowed_lateness);
  if (auto late = options.get("late_data")) {
    std::string v = Options::lower(*late);
    if (v == "drop") spec.late = LatePolicy::kDrop;
    else if (v == "dlq" || v == "dead_letter") spec.late = LatePolicy::kDeadLetter;
    else if (v == "update") spec.late = LatePolicy::kUpdate;
    else throw_user_error("late_data must be 'drop', 'dlq' or 'update', got '{}'", *late);
  }
  spec.dead_letter = options.get_string("late_data_dlq", spec.dead_letter);
  if (spec.late == LatePolicy::kDeadLetter && spec.dead_letter.empty())
    throw_user_error("late_data = 'dlq' needs late_data_dlq = '<sink uri>' for the late rows");
  if (spec.max_out_of_orderness < 0) throw_user_error("max_out_of_orderness must not be negative");
  if (!spec.enabled() && options.has("late_data"))
    throw_user_error("late_data needs event_time = '<column>' on the same source");
  return spec;
}
}  // namespace velo
