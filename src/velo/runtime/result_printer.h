#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "velo/batch/batch.h"

namespace velo {

enum class ResultFormat { kTable, kCsv, kJson };

/// Parses "table" | "csv" | "json"; throws a user error otherwise.
ResultFormat parse_result_format(const std::string& name);

/// Writes query results for humans (a boxed table with right-aligned numbers, capped at
/// `max_rows` with a "… N more rows" note) or machines (CSV with header, JSON Lines).
void print_result(const Schema& schema, const std::vector<Batch>& batches, ResultFormat format,
                  std::FILE* out, size_t max_rows = 1000);

}  // namespace velo
