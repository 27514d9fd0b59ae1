#include "velo/connectors/file/partition_writer.h"

#include "velo/types/error.h"

namespace velo {

PartitionWriter::PartitionWriter(FileSystem& fs, std::string path,
                                 const FileWriteSettings& settings, SchemaPtr schema,
                                 int64_t opened_us)
    : path_(std::move(path)), opened_us_(opened_us) {
  stream_ = compressing_stream(fs.open_write(path_), settings.codec, settings.level);
  writer_ = settings.format->open_writer(stream_.get(), std::move(schema), *settings.options);
}

void PartitionWriter::write(const Batch& batch) {
  if (!writer_) throw_internal_error("write to finished file '{}'", path_);
  writer_->write(batch);
  rows_ += static_cast<int64_t>(batch.num_rows);
}

PendingFile PartitionWriter::finish() {
  if (!writer_) throw_internal_error("file '{}' finished twice", path_);
  writer_->finish();
  writer_.reset();
  stream_->prepare();
  PendingFile f;
  f.path = path_;
  f.rows = rows_;
  f.bytes = stream_->bytes_written();
  f.stream = std::move(stream_);
  return f;
}

void PartitionWriter::abort() noexcept {
  writer_.reset();
  if (stream_) stream_->abort();
  stream_.reset();
}

}  // namespace velo
