// Kept apart from csv_format.cc so code that uses CsvFormat directly (tests, tools) does not pull
// in the format registry.
#include "velo/formats/csv/csv_format.h"

namespace velo {

void register_csv_format() {
  register_format(std::make_unique<CsvFormat>(), {"csv", "tsv", "txt"});
}

}  // namespace velo
