// Avro binary datums -> DatumDecoder (the decoder the container format and Kafka messages share),
// with schema resolution. The FIRST byte picks the writer schema: below kBuiltin one of the
// schemas below (every type, logical types, unions, nested containers), otherwise the schema JSON
// follows up to a NUL byte (this fuzzes AvroSchema::parse too). The SECOND byte picks a reader
// schema (none, or a built-in one to resolve against). The rest is decoded as datums back to
// back, as in a block; then as one whole datum (decode_datum) and as Confluent / single-object
// framed messages.
#include <cstring>
#include <string>
#include <string_view>

#include "fuzz_util.h"
#include "velo/formats/avro/avro_datum.h"
#include "velo/formats/avro/avro_schema.h"

namespace {

const char* const kSchemas[] = {
    R"({"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"long"},
      {"name":"c","type":"float"},{"name":"d","type":"double"},{"name":"e","type":"boolean"},
      {"name":"f","type":"string"},{"name":"g","type":"bytes"},{"name":"h","type":"null"}]})",
    R"({"type":"record","name":"R","fields":[
      {"name":"a","type":["null","int"]},{"name":"b","type":["null","string","long","double"]},
      {"name":"c","type":{"type":"enum","name":"E","symbols":["X","Y","Z"]}},
      {"name":"d","type":{"type":"fixed","name":"F","size":5}}]})",
    R"({"type":"record","name":"R","fields":[
      {"name":"a","type":{"type":"array","items":"long"}},
      {"name":"b","type":{"type":"map","values":["null","string"]}},
      {"name":"c","type":{"type":"array","items":{"type":"record","name":"I","fields":[
        {"name":"x","type":"int"},{"name":"y","type":{"type":"array","items":"string"}}]}}}]})",
    R"({"type":"record","name":"R","fields":[
      {"name":"a","type":{"type":"bytes","logicalType":"decimal","precision":20,"scale":4}},
      {"name":"b","type":{"type":"fixed","name":"D","size":9,"logicalType":"decimal",
        "precision":18,"scale":2}},
      {"name":"c","type":{"type":"int","logicalType":"date"}},
      {"name":"d","type":{"type":"long","logicalType":"timestamp-millis"}},
      {"name":"e","type":{"type":"long","logicalType":"timestamp-micros"}},
      {"name":"f","type":{"type":"long","logicalType":"timestamp-nanos"}},
      {"name":"g","type":{"type":"int","logicalType":"time-millis"}},
      {"name":"h","type":{"type":"long","logicalType":"time-micros"}},
      {"name":"i","type":{"type":"fixed","name":"Du","size":12,"logicalType":"duration"}},
      {"name":"j","type":{"type":"string","logicalType":"uuid"}},
      {"name":"k","type":{"type":"long","logicalType":"local-timestamp-micros"}}]})",
    R"(["null","int",{"type":"record","name":"U","fields":[{"name":"s","type":"string"}]},
      {"type":"array","items":"int"}])",
    R"({"type":"map","values":{"type":"array","items":["null","double"]}})",
    R"({"type":"record","name":"R","fields":[{"name":"a","type":"long"},
      {"name":"b","type":"double"},{"name":"f","type":"bytes"},{"name":"z","type":"int",
      "default":5,"aliases":["e"]}]})",
    R"({"type":"array","logicalType":"map","items":{"type":"record","name":"KV","fields":[
      {"name":"key","type":"string"},{"name":"value","type":["null","long"]}]}})",
};
constexpr size_t kBuiltin = sizeof(kSchemas) / sizeof(kSchemas[0]);

velo::avro::AvroSchemaPtr builtin(size_t i) {
  static velo::avro::AvroSchemaPtr parsed[kBuiltin];
  if (!parsed[i]) parsed[i] = velo::avro::AvroSchema::parse(kSchemas[i]);
  return parsed[i];
}

void decode_all(const velo::avro::AvroSchemaPtr& writer, const velo::avro::AvroSchemaPtr& reader,
                const uint8_t* p, const uint8_t* end) {
  velo::avro::DatumDecoder decoder(writer, reader);
  velo::Batch batch;
  batch.schema = decoder.output_schema();
  batch.columns = decoder.make_columns();
  velo::fuzz::expect_clean([&] {
    for (int i = 0; i < 256 && p < end; ++i) {
      try {
        const uint8_t* next = decoder.decode(p, end, batch.columns);
        velo::fuzz::check(next >= p && next <= end, "decode returned a position outside the data");
        ++batch.num_rows;
        if (next == p) break;  // zero-width datums: one row is enough
        p = next;
      } catch (const velo::Error&) {
        velo::avro::truncate_columns(batch.columns, batch.num_rows);
        throw;
      }
    }
  });
  velo::fuzz::check_batch(batch);
}

}  // namespace

// The built-in schemas must all parse: a typo here would silently turn them into error paths.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  for (size_t i = 0; i < kBuiltin; ++i) {
    try {
      (void)builtin(i)->velo_schema();
    } catch (const velo::Error& e) {
      velo::fuzz::MemoryFile::abort_with("built-in schema does not parse", e.describe());
    }
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  std::string bytes(reinterpret_cast<const char*>(data), size);
  const auto* begin = reinterpret_cast<const uint8_t*>(bytes.data());
  const uint8_t* end = begin + size;
  const uint8_t* p = begin + 2;
  velo::fuzz::expect_clean([&] {
    velo::avro::AvroSchemaPtr writer;
    if (data[0] < kBuiltin) {
      writer = builtin(data[0]);
    } else {
      const void* nul = std::memchr(p, 0, end - p);
      const uint8_t* stop = nul ? static_cast<const uint8_t*>(nul) : end;
      writer = velo::avro::AvroSchema::parse(
          std::string_view(reinterpret_cast<const char*>(p), stop - p));
      p = nul ? stop + 1 : end;
      (void)writer->canonical_form();
      (void)writer->fingerprint64();
      // The printed schema must parse again to the same canonical form.
      std::string json = writer->to_json();
      velo::avro::AvroSchemaPtr again;
      try {
        again = velo::avro::AvroSchema::parse(json);
      } catch (const velo::Error& e) {
        velo::fuzz::MemoryFile::abort_with("AvroSchema::to_json does not re-parse",
                                           json + "\n  -> " + e.describe());
      }
      velo::fuzz::check(again->canonical_form() == writer->canonical_form(),
                        "to_json changed the canonical form", json);
    }
    velo::avro::AvroSchemaPtr reader;
    if (data[1] != 0 && data[1] <= kBuiltin) reader = builtin(data[1] - 1);

    velo::fuzz::expect_clean([&] { decode_all(writer, reader, p, end); });

    std::string_view datum(reinterpret_cast<const char*>(p), end - p);
    velo::fuzz::expect_clean([&] {
      velo::Batch one = velo::Batch::empty(writer->velo_schema());
      velo::avro::decode_datum(*writer, nullptr, datum, one.columns);
      one.num_rows = 1;
      velo::fuzz::check_batch(one);
    });
    velo::fuzz::expect_clean([&] {
      velo::avro::ConfluentMessage m = velo::avro::parse_confluent(datum);
      velo::fuzz::check(m.datum.size() + 5 == datum.size(), "confluent datum size");
    });
    velo::fuzz::expect_clean([&] {
      if (!velo::avro::is_single_object(datum)) return;
      velo::avro::SingleObjectMessage m = velo::avro::parse_single_object(datum);
      velo::fuzz::check(m.datum.size() + 10 == datum.size(), "single-object datum size");
    });
  });
  return 0;
}
