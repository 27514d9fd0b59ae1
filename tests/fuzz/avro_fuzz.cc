// A whole Avro object container file in memory -> AvroFormat: header, metadata map, schema JSON,
// block framing, every codec (null, deflate, snappy with its CRC, zstandard) and datum decoding.
// Read twice: all columns with on_error = fail, then every other column in reverse order under
// on_error = dlq (resynchronising on the sync marker after a corrupt block).
#include <string>

#include "fuzz_util.h"
#include "velo/formats/avro/avro_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto file = velo::fuzz::memory_file("fuzz.avro", data, size);
  velo::AvroFormat format;
  velo::Options options;
  velo::fuzz::expect_clean([&] {
    velo::FormatReadRequest request;
    request.file = file;
    request.options = &options;
    request.schema = format.infer_schema(file, options);
    velo::fuzz::expect_clean([&] {
      auto reader = format.open_reader(request);
      velo::fuzz::drain(*reader);
    });

    const int n = static_cast<int>(request.schema->size());
    for (int i = n - 1; i >= 0; i -= 2) request.spec.projection.push_back(i);
    request.on_error = velo::FormatReadRequest::OnError::kDlq;
    size_t rejected = 0;
    request.on_reject = [&](const velo::RejectedRecord& r) {
      ++rejected;
      // The raw bytes of a rejected record must lie inside what was read: touch all of them.
      size_t sum = 0;
      for (char c : r.raw) sum += static_cast<unsigned char>(c);
      (void)sum;
      (void)r.error.size();
    };
    auto reader = format.open_reader(request);
    velo::fuzz::drain(*reader);
    velo::fuzz::check(reader->rows_rejected() >= 0, "negative rows_rejected");
  });
  return 0;
}
