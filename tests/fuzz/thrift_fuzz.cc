// Thrift compact protocol as Parquet uses it: the footer FileMetaData decoder, the page header
// decoder, and a generic walk of an unknown struct with ThriftReader::skip. A decoded footer is
// re-encoded and must decode again to the same encoding.
#include <string>

#include "fuzz_util.h"
#include "velo/batch/buffer.h"
#include "velo/formats/parquet/parquet_metadata.h"
#include "velo/formats/parquet/thrift_compact.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace velo::parquet;
  // Copies end exactly at `size`, so ASan sees any read past the buffer.
  std::string bytes(reinterpret_cast<const char*>(data), size);
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());

  velo::fuzz::expect_clean([&] {
    FileMetaData md = decode_file_metadata(p, size, "fuzz.parquet", 100);
    // The encoder serves the writer, whose column chunks always carry meta_data.
    for (const RowGroup& g : md.row_groups)
      for (const ColumnChunk& c : g.columns)
        if (!c.meta_data) return;
    velo::Buffer first;
    encode_file_metadata(md, &first);
    FileMetaData again;
    try {
      again = decode_file_metadata(first.data(), first.size(), "re-encoded", 0);
    } catch (const velo::Error& e) {
      velo::fuzz::MemoryFile::abort_with("re-encoded FileMetaData does not decode", e.describe());
    }
    velo::Buffer second;
    encode_file_metadata(again, &second);
    velo::fuzz::check(
        first.size() == second.size() &&
            std::string_view(reinterpret_cast<const char*>(first.data()), first.size()) ==
                std::string_view(reinterpret_cast<const char*>(second.data()), second.size()),
        "FileMetaData encode/decode is not stable");
  });
  velo::fuzz::expect_clean([&] {
    size_t header_size = 0;
    PageHeader h = decode_page_header(p, size, "fuzz.parquet", 4, &header_size);
    velo::fuzz::check(header_size <= size, "page header size past the input");
    velo::Buffer out;
    encode_page_header(h, &out);
  });
  velo::fuzz::expect_clean([&] {
    ThriftReader r(p, size, "fuzz.thrift", 0);
    r.skip(ThriftType::kStruct);
    velo::fuzz::check(r.position() <= size, "ThriftReader position past the input");
  });
  return 0;
}
