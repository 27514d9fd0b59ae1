// A whole Parquet file in memory -> ParquetFormat: footer, schema, statistics pruning and every
// page (dictionary, RLE/bit-packed levels, PLAIN/dictionary/delta/byte-stream-split values, every
// codec). Read twice: all columns, then every other column in reverse order with a predicate per
// column so row groups are pruned on the file's (untrusted) min/max statistics.
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "velo/formats/parquet/parquet_format.h"

namespace {

// A comparison constant of `t`'s type (so the pruning code compares like with like), or NULL.
velo::Value constant_for(const velo::DataType& t) {
  switch (t.id()) {
    case velo::TypeId::kBoolean:
      return velo::Value::boolean(true);
    case velo::TypeId::kInt32:
    case velo::TypeId::kInt64:
      return velo::Value::int64(7);
    case velo::TypeId::kDouble:
      return velo::Value::float64(0.5);
    case velo::TypeId::kDecimal:
      return velo::Value::decimal(123, t.precision(), t.scale());
    case velo::TypeId::kString:
      return velo::Value::string("m");
    case velo::TypeId::kBytes:
      return velo::Value::bytes("m");
    case velo::TypeId::kDate:
      return velo::Value::date(19000);
    case velo::TypeId::kTimestamp:
      return velo::Value::timestamp(1700000000000000);
    default:
      return velo::Value();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto file = velo::fuzz::memory_file("fuzz.parquet", data, size);
  velo::ParquetFormat format;
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

    static const velo::ScanPredicate::Op kOps[] = {
        velo::ScanPredicate::Op::kEq,     velo::ScanPredicate::Op::kLt,
        velo::ScanPredicate::Op::kGe,     velo::ScanPredicate::Op::kIn,
        velo::ScanPredicate::Op::kIsNull, velo::ScanPredicate::Op::kIsNotNull};
    const int n = static_cast<int>(request.schema->size());
    for (int i = n - 1; i >= 0; i -= 2) request.spec.projection.push_back(i);
    for (int i = 0; i < n; ++i) {
      velo::ScanPredicate p;
      p.column = i;
      p.op = kOps[i % 6];
      velo::Value v = constant_for(request.schema->field(i).type);
      if (v.is_null() && p.op != velo::ScanPredicate::Op::kIsNull) {
        p.op = velo::ScanPredicate::Op::kIsNotNull;
      } else if (p.op == velo::ScanPredicate::Op::kIn) {
        p.values = {v, v};
      } else if (p.op != velo::ScanPredicate::Op::kIsNull &&
                 p.op != velo::ScanPredicate::Op::kIsNotNull) {
        p.values = {v};
      }
      request.spec.predicates.push_back(std::move(p));
    }
    auto reader = format.open_reader(request);
    velo::fuzz::drain(*reader);
  });
  return 0;
}
