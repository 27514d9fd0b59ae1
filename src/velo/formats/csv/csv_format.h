#pragma once

#include <memory>
#include <string>

#include "velo/formats/format.h"

namespace velo {

/// The "csv" format (extensions csv, tsv, txt): RFC 4180 reader with byte-range splits,
/// projection and on_error handling, schema inference, and a writer. Options: see
/// csv::parse_csv_options.
class CsvFormat : public Format {
 public:
  std::string name() const override { return "csv"; }
  SchemaPtr infer_schema(const std::shared_ptr<RandomAccessFile>& file,
                         const Options& options) override;
  std::unique_ptr<FormatReader> open_reader(const FormatReadRequest& request) override;
  std::unique_ptr<FormatWriter> open_writer(OutputStream* out, SchemaPtr schema,
                                            const Options& options) override;
  bool splittable() const override { return true; }
  void declare_options(const Options& options) const override;
};

/// Registers CsvFormat under the extensions csv, tsv and txt. Called once at start-up.
void register_csv_format();

}  // namespace velo
