#pragma once

#include <string_view>

#include "velo/types/data_type.h"

namespace velo {

/// Parses a declared schema `name TYPE, name TYPE, ...` (the `schema` option). Types: BOOLEAN,
/// INT/INTEGER/INT32, BIGINT/INT64/LONG, DOUBLE/FLOAT/REAL, DECIMAL(p,s)/NUMERIC(p,s),
/// STRING/VARCHAR[(n)]/TEXT, BYTES/BINARY/VARBINARY, DATE, TIMESTAMP, INTERVAL, LIST<T>/ARRAY<T>,
/// MAP<K,V>, STRUCT<name T, ...>. Names may be "double-quoted". Lives in io/ because connectors
/// must not depend on sql/. Throws a user error pointing at the offending text.
SchemaPtr parse_column_list(std::string_view text);

}  // namespace velo
