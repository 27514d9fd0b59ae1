#include "velo/formats/avro/avro_format.h"

#include "velo/formats/avro/avro_container.h"
#include "velo/formats/avro/avro_datum.h"
#include "velo/types/error.h"

namespace velo {

namespace {

using avro::AvroSchema;
using avro::AvroSchemaPtr;

constexpr int64_t kDefaultBlockRows = 16384;
constexpr int64_t kDefaultBlockBytes = int64_t{1} << 20;

AvroSchemaPtr reader_schema_option(const Options* options) {
  if (!options) return nullptr;
  auto s = options->get("avro_schema");
  if (!s) return nullptr;
  try {
    return AvroSchema::parse(*s);
  } catch (const Error& e) {
    throw_user_error("option avro_schema: {}", e.message());
  }
}

class AvroReader : public FormatReader {
 public:
  AvroReader(const FormatReadRequest& request, avro::ContainerHeader header,
             AvroSchemaPtr reader_schema)
      : file_(request.file),
        header_(std::move(header)),
        limit_(request.spec.limit),
        on_error_(request.on_error),
        on_reject_(request.on_reject),
        blocks_(request.file, header_, header_.schema->root().min_size) {
    SchemaPtr full = request.schema;
    try {
      if (!full) full = (reader_schema ? reader_schema : header_.schema)->velo_schema();
      std::vector<Field> out;
      if (request.spec.projection.empty()) {
        out = full->fields();
      } else {
        for (int idx : request.spec.projection) {
          if (idx < 0 || static_cast<size_t>(idx) >= full->size())
            throw_internal_error("projection index {} out of range", idx);
          out.push_back(full->field(idx));
        }
      }
      SchemaPtr target = std::make_shared<Schema>(std::move(out));
      decoder_ = std::make_unique<avro::DatumDecoder>(header_.schema, target, reader_schema);
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::kFormat && e.kind() != ErrorKind::kNotSupported) throw;
      throw Error(e.kind(), fmt::format("{}: {}", file_->path(), e.message()),
                  ErrorLocation{file_->path(), 0, 0, -1});
    }
  }

  bool next(Batch* out) override;
  int64_t bytes_consumed() const override { return blocks_.position(); }
  int64_t rows_rejected() const override { return rejected_; }

 private:
  bool load_block();
  void reject(const std::string& msg, std::string_view raw);

  std::shared_ptr<RandomAccessFile> file_;
  avro::ContainerHeader header_;
  int64_t limit_;
  FormatReadRequest::OnError on_error_;
  std::function<void(const RejectedRecord&)> on_reject_;
  avro::BlockReader blocks_;
  std::unique_ptr<avro::DatumDecoder> decoder_;
  avro::Block block_;
  const uint8_t* cur_ = nullptr;
  const uint8_t* end_ = nullptr;
  int64_t block_left_ = 0;
  int64_t record_ = 0;  // records seen so far (0-based index of the next one)
  int64_t emitted_ = 0;
  int64_t rejected_ = 0;
  bool done_ = false;
};

void AvroReader::reject(const std::string& msg, std::string_view raw) {
  if (on_error_ == FormatReadRequest::OnError::kDlq && on_reject_) {
    RejectedRecord r;
    r.file = file_->path();
    r.line = record_ + 1;
    r.error = msg;
    r.raw = raw;
    on_reject_(r);
  }
}

bool AvroReader::load_block() {
  while (!done_) {
    int64_t start = blocks_.position();
    try {
      if (!blocks_.next(&block_)) {
        done_ = true;
        return false;
      }
    } catch (const Error& e) {
      if (on_error_ == FormatReadRequest::OnError::kFail || e.kind() != ErrorKind::kFormat) throw;
      ++rejected_;
      reject(e.message(), {});
      ++record_;
      if (!blocks_.resync(start + 1)) done_ = true;
      continue;
    }
    if (block_.count == 0) continue;
    cur_ = block_.data;
    end_ = block_.data + block_.size;
    block_left_ = block_.count;
    return true;
  }
  return false;
}

bool AvroReader::next(Batch* out) {
  if (limit_ >= 0 && emitted_ >= limit_) return false;
  std::vector<ColumnPtr> cols = decoder_->make_columns();
  size_t want = kDefaultBatchRows;
  if (limit_ >= 0) want = static_cast<size_t>(std::min<int64_t>(want, limit_ - emitted_));
  size_t rows = 0;
  bool skip_decode = cols.empty();
  while (rows < want) {
    if (block_left_ == 0 && !load_block()) break;
    if (skip_decode) {
      // Nothing projected (COUNT(*)): the block counts are enough.
      int64_t take = std::min<int64_t>(block_left_, static_cast<int64_t>(want - rows));
      rows += static_cast<size_t>(take);
      block_left_ -= take;
      record_ += take;
      continue;
    }
    const uint8_t* row_start = cur_;
    try {
      cur_ = decoder_->decode(cur_, end_, cols);
      --block_left_;
      ++record_;
      ++rows;
      if (block_left_ == 0 && cur_ != end_)
        throw Error(ErrorKind::kFormat,
                    fmt::format("{} bytes left over after the block's {} records", end_ - cur_,
                                block_.count));
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::kFormat || !e.location().file.empty()) throw;
      std::string msg = fmt::format("{}: block {} at offset {}, record {}: {}", file_->path(),
                                    block_.index, block_.offset, record_ + 1, e.message());
      if (on_error_ == FormatReadRequest::OnError::kFail)
        throw Error(ErrorKind::kFormat, msg,
                    ErrorLocation{file_->path(), record_ + 1, 0, block_.offset});
      if (block_left_ == 0) {
        // The leftover bytes: the block's records decoded, but the count and data disagree.
        --rows;
        --record_;
        block_left_ = 1;
      }
      avro::truncate_columns(cols, rows);
      reject(msg, std::string_view(reinterpret_cast<const char*>(row_start), end_ - row_start));
      rejected_ += block_left_;
      record_ += block_left_;
      block_left_ = 0;
    }
  }
  if (rows == 0) return false;
  emitted_ += static_cast<int64_t>(rows);
  *out = Batch(decoder_->output_schema(), std::move(cols), rows);
  return true;
}

class AvroWriter : public FormatWriter {
 public:
  AvroWriter(OutputStream* out, SchemaPtr schema, const Options& options)
      : schema_(std::move(schema)) {
    std::string codec = options.get_string("compression", options.get_string("codec", "snappy"));
    avro::Codec c = avro::codec_by_name(codec, true);
    int level = static_cast<int>(options.get_int("compression_level", -1));
    block_rows_ = options.get_int("block_rows", kDefaultBlockRows);
    block_bytes_ = options.get_bytes("block_size", kDefaultBlockBytes);
    if (block_rows_ <= 0) throw_user_error("block_rows must be positive, not {}", block_rows_);
    if (block_bytes_ <= 0) throw_user_error("block_size must be positive, not {}", block_bytes_);
    AvroSchemaPtr avro = reader_schema_option(&options);
    if (!avro)
      avro = AvroSchema::from_velo(*schema_, options.get_string("record_name", "Record"),
                                   options.get_string("record_namespace", ""));
    encoder_ = std::make_unique<avro::DatumEncoder>(schema_, avro);
    container_ = std::make_unique<avro::ContainerWriter>(out, avro, c, level);
  }

  void write(const Batch& batch) override {
    for (size_t r = 0; r < batch.num_rows; ++r) {
      encoder_->encode(batch.columns, r, &buf_);
      if (++rows_ >= block_rows_ || static_cast<int64_t>(buf_.size()) >= block_bytes_) flush();
    }
  }

  void finish() override { flush(); }

 private:
  void flush() {
    if (rows_ == 0) return;
    container_->write_block(rows_, buf_.data(), buf_.size());
    rows_ = 0;
    buf_.clear();
  }

  SchemaPtr schema_;
  std::unique_ptr<avro::DatumEncoder> encoder_;
  std::unique_ptr<avro::ContainerWriter> container_;
  int64_t block_rows_ = kDefaultBlockRows;
  int64_t block_bytes_ = kDefaultBlockBytes;
  int64_t rows_ = 0;
  Buffer buf_;
};

}  // namespace

SchemaPtr AvroFormat::infer_schema(const std::shared_ptr<RandomAccessFile>& file,
                                   const Options& options) {
  if (AvroSchemaPtr r = reader_schema_option(&options)) return r->velo_schema();
  avro::ContainerHeader h = avro::read_container_header(*file);
  try {
    return h.schema->velo_schema();
  } catch (const Error& e) {
    throw Error(e.kind(), fmt::format("{}: {}", file->path(), e.message()),
                ErrorLocation{file->path(), 0, 0, -1});
  }
}

std::unique_ptr<FormatReader> AvroFormat::open_reader(const FormatReadRequest& request) {
  AvroSchemaPtr reader = reader_schema_option(request.options);
  avro::ContainerHeader h = avro::read_container_header(*request.file);
  return std::make_unique<AvroReader>(request, std::move(h), std::move(reader));
}

std::unique_ptr<FormatWriter> AvroFormat::open_writer(OutputStream* out, SchemaPtr schema,
                                                      const Options& options) {
  return std::make_unique<AvroWriter>(out, std::move(schema), options);
}

void AvroFormat::declare_options(const Options& options) const {
  for (const char* k : {"compression", "codec", "compression_level", "block_rows", "block_size",
                        "record_name", "record_namespace", "avro_schema"})
    options.mark_used(k);
}

}  // namespace velo
