#pragma once

#include <memory>
#include <string>

#include "velo/formats/format.h"

namespace velo {

/// The "avro" format: Avro object container files.
///
/// Reading: codecs null, deflate, snappy, zstandard (bzip2/xz: "not supported yet"); blocks are
/// read with large sequential reads, decompressed and decoded straight into columns; columns
/// not projected are skipped by the schema without being decoded. The request schema (declared,
/// or inferred from a glob's first file) is resolved against each file's writer schema by field
/// name (see avro::DatumDecoder); option `avro_schema` (reader schema JSON) adds defaults and
/// aliases. Corrupt files fail with a kFormat error naming the file, the block and its offset;
/// under on_error = skip/dlq the rest of a block whose datum fails is dropped (a block whose
/// framing or compression is corrupt counts as one rejected record, and reading resumes after
/// the next sync marker).
///
/// Writing: options `compression` (alias `codec`): null | deflate | snappy (default) |
/// zstandard; `compression_level`; `block_rows` (default 16384) and `block_size` (default 1MB
/// of encoded datums) end a block; `record_name` (default "Record") and `record_namespace`
/// name the top-level record; `avro_schema` writes with a given schema instead of the one
/// derived from the columns (avro::AvroSchema::from_velo).
class AvroFormat : public Format {
 public:
  std::string name() const override { return "avro"; }
  /// Reads only the header.
  SchemaPtr infer_schema(const std::shared_ptr<RandomAccessFile>& file,
                         const Options& options) override;
  std::unique_ptr<FormatReader> open_reader(const FormatReadRequest& request) override;
  std::unique_ptr<FormatWriter> open_writer(OutputStream* out, SchemaPtr schema,
                                            const Options& options) override;
  void declare_options(const Options& options) const override;
};

/// Registers AvroFormat under the extension "avro". Called once at start-up.
void register_avro_format();

}  // namespace velo
