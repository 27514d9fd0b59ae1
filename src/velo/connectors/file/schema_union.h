#pragma once

#include <string>
#include <vector>

#include "velo/formats/format.h"
#include "velo/fs/file_system.h"

namespace velo {

/// The schema of a glob without a declared one: the union of every file's schema by column
/// name, in order of first appearance. Compatible types widen (INT32 -> INT64 -> DECIMAL ->
/// DOUBLE, DATE -> TIMESTAMP); text formats fall back to STRING when inference disagrees; other
/// conflicts are a user error naming both files and the column. `per_file` receives every
/// file's own schema (the union itself for files whose schema equals it).
SchemaPtr union_of_file_schemas_by_name(Format& format, FileSystem& fs,
                                        const std::vector<FileInfo>& files, const Options& options,
                                        const std::string& uri, std::vector<SchemaPtr>* per_file);

}  // namespace velo
