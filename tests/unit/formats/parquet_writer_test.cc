// Writer round trips: a type x codec x dictionary matrix of files written by velo, read back by
// our reader and by three independent readers (DuckDB, parquet-wasm = the Rust `parquet` crate,
// hyparquet = pure JS), every value compared with what was written; row groups, pages and
// statistics pruning.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <map>

#include "parquet_test_util.h"
#include "velo/formats/parquet/parquet_reader.h"

namespace velo::parquet_test {
namespace {

/// Every type the writer supports, flat and nested, with NULLs at every level.
SchemaPtr matrix_schema() {
  DataType xy = DataType::struct_of({{"x", DataType::float64()}, {"y", DataType::string()}});
  return std::make_shared<Schema>(std::vector<Field>{
      {"b", DataType::boolean()},
      {"i32", DataType::int32()},
      {"i64", DataType::int64()},
      {"f64", DataType::float64()},
      {"d9", DataType::decimal(9, 2)},
      {"d18", DataType::decimal(18, 4)},
      {"d38", DataType::decimal(38, 10)},
      {"d25", DataType::decimal(25, 5)},  // 11-byte FIXED_LEN_BYTE_ARRAY
      {"s", DataType::string()},
      {"bin", DataType::bytes()},
      {"dt", DataType::date()},
      {"ts", DataType::timestamp()},
      {"iv", DataType::interval()},
      {"li", DataType::list_of(DataType::int64())},
      {"ls", DataType::list_of(DataType::string())},
      {"st", DataType::struct_of({{"a", DataType::int32()}, {"b", DataType::string()}})},
      {"m", DataType::map_of(DataType::string(), DataType::int64())},
      {"lst", DataType::list_of(xy)},
      {"ll", DataType::list_of(DataType::list_of(DataType::int32()))},
      {"sn",
       DataType::struct_of({{"tags", DataType::list_of(DataType::string())},
                            {"inner", DataType::struct_of({{"d", DataType::decimal(18, 4)}})}})},
      {"ml", DataType::map_of(DataType::string(), DataType::list_of(DataType::int32()))},
      {"same", DataType::string()},
      {"nul", DataType::int64()},
  });
}

int128_t pow10_128(int n) {
  int128_t v = 1;
  for (int i = 0; i < n; ++i) v *= 10;
  return v;
}

/// Deterministic rows: edge values (type extremes, NaN/±Inf/-0, empty strings and bytes, 4-byte
/// UTF-8, values longer than a page), NULLs at top level (scattered and in runs longer than a
/// page) and inside nested values, empty vs NULL lists and maps, repeated values so dictionaries
/// kick in.
Batch make_batch(SchemaPtr schema, size_t n, size_t start, size_t long_every = 97) {
  Batch b = Batch::empty(schema);
  const auto& F = [&](size_t c) -> const DataType& { return schema->field(c).type; };
  for (size_t k = 0; k < n; ++k) {
    const size_t i = start + k;
    size_t c = 0;
    auto put = [&](Value v) {
      bool null = (i + 3 * c) % 7 == 3 || ((i / 150) % 6 == 4 && c % 2 == 0);
      b.columns[c]->append_value(null ? Value::null(F(c)) : std::move(v));
      ++c;
    };
    const int64_t si = static_cast<int64_t>(i);
    put(Value::boolean(((i / 5) % 2 == 0) != (i % 3 == 0)));
    {
      const int32_t edges[] = {std::numeric_limits<int32_t>::min(),
                               std::numeric_limits<int32_t>::max(), 0, -1, 1};
      put(Value::int32(i % 13 == 0 ? edges[(i / 13) % 5]
                                   : static_cast<int32_t>(i * 7919 % 100000) - 50000));
    }
    {
      const int64_t edges[] = {std::numeric_limits<int64_t>::min(),
                               std::numeric_limits<int64_t>::max(), 0, -1, (int64_t{1} << 53) + 1};
      put(Value::int64(i % 13 == 0 ? edges[(i / 13) % 5] : si * 1000003 - (int64_t{1} << 40)));
    }
    {
      const double edges[] = {std::nan(""), INFINITY,
                              -INFINITY,    -0.0,
                              5e-324,       std::numeric_limits<double>::max(),
                              0.1,          -2.2250738585072014e-308};
      put(Value::float64(i % 11 == 0 ? edges[(i / 11) % 8] : si * 0.25 - 17.125));
    }
    const int sign = i % 2 ? -1 : 1;
    put(Value::decimal(
        i % 17 == 0 ? sign * (pow10_128(9) - 1) : static_cast<int128_t>(i % 1000) * 101 - 50000, 9,
        2));
    put(Value::decimal(
        i % 17 == 0 ? sign * (pow10_128(18) - 1) : static_cast<int128_t>(i) * 123456789 - 99999, 18,
        4));
    put(Value::decimal(i % 17 == 0 ? sign * (pow10_128(38) - 1)
                                   : static_cast<int128_t>(i) * 1000000007 * 1000000007 * sign,
                       38, 10));
    put(Value::decimal(i % 17 == 0 ? -sign * (pow10_128(25) - 1)
                                   : static_cast<int128_t>(i) * 99999989 * 1000003 * -sign,
                       25, 5));
    {
      std::string s;
      if (i % 5 == 0) {
        s = "";
      } else if (i % long_every == 1) {
        s = std::to_string(i);
        for (size_t r = 0; s.size() < 3000; ++r) s += "ab\u20ac\U0001F600" + std::to_string(r);
      } else if (i % 4 == 0) {
        s = "\u4e2d\u6587_" + std::to_string(i % 23) + "_\U0001F600";
      } else {
        s = "str_" + std::to_string(i % 37) + "_\u00e9";
      }
      put(Value::string(std::move(s)));
    }
    put(Value::bytes(i % 9 == 0 ? std::string()
                                : std::string("\0\x01\xff", 3) + std::to_string(i % 50)));
    {
      const int32_t edges[] = {-719162, 2932896, 0};  // 0001-01-01, 9999-12-31, 1970-01-01
      put(Value::date(i % 19 == 0 ? edges[(i / 19) % 3] : static_cast<int32_t>(i) - 10000));
    }
    {
      const int64_t edges[] = {-62135596800000000, 253402300799999999, 0};
      put(Value::timestamp(i % 19 == 0 ? edges[(i / 19) % 3] : si * 3600000001 - 86400000000));
    }
    // Parquet INTERVAL is three unsigned 32-bit ints with milliseconds: non-negative, whole ms.
    put(Value::interval(Interval{static_cast<int32_t>(i % 25), static_cast<int32_t>(i % 40),
                                 static_cast<int64_t>(i % 1000) * 1000000 + (si % 7) * 1000}));
    {
      std::vector<Value> li;
      size_t len = i % 211 == 5 ? 1500 : i % 5;
      for (size_t j = 0; j < len; ++j)
        li.push_back(j == 1 ? Value::null(DataType::int64()) : Value::int64(si + j));
      put(Value::nested(F(c), li));
    }
    {
      std::vector<Value> ls;
      for (size_t j = 0; j < i % 4; ++j)
        ls.push_back(i % 6 == 4 && j == 0
                         ? Value::null(DataType::string())
                         : Value::string(j == 2 ? "" : "e\u00e9" + std::to_string(j)));
      put(Value::nested(F(c), ls));
    }
    put(Value::nested(F(c),
                      {i % 4 == 1 || i % 10 == 7 ? Value::null(DataType::int32())
                                                 : Value::int32(static_cast<int32_t>(i)),
                       i % 5 == 2 || i % 10 == 7 ? Value::null(DataType::string())
                                                 : Value::string("n" + std::to_string(i % 3))}));
    {
      std::vector<Value> m;
      const DataType& et = F(c).children()[0].type;
      for (size_t j = 0; j < i % 4; ++j)
        m.push_back(Value::nested(et, {Value::string("k" + std::to_string(j)),
                                       j == 1 ? Value::null(DataType::int64())
                                              : Value::int64(si * static_cast<int64_t>(j))}));
      put(Value::nested(F(c), m));
    }
    {
      const DataType& xy = F(c).children()[0].type;
      std::vector<Value> lst;
      for (size_t j = 0; j < i % 4; ++j) {
        if (j == 0 && i % 2) {
          lst.push_back(Value::null(xy));
          continue;
        }
        lst.push_back(Value::nested(
            xy, {i % 5 == 0 ? Value::null(DataType::float64()) : Value::float64(j + 0.5),
                 Value::string("y" + std::to_string(j))}));
      }
      put(Value::nested(F(c), lst));
    }
    {
      const DataType& inner = F(c).children()[0].type;
      std::vector<Value> ll;
      for (size_t j = 0; j < i % 3; ++j) {
        std::vector<Value> in;
        for (size_t q = 0; q < j + (i % 2); ++q)
          in.push_back(q == 1 && i % 3 == 0 ? Value::null(DataType::int32())
                                            : Value::int32(static_cast<int32_t>(q + i)));
        ll.push_back(j == 2 && i % 4 == 0 ? Value::null(inner) : Value::nested(inner, in));
      }
      put(Value::nested(F(c), ll));
    }
    {
      const DataType& tags_t = F(c).children()[0].type;
      const DataType& inner_t = F(c).children()[1].type;
      std::vector<Value> tags;
      for (size_t j = 0; j < i % 3; ++j) tags.push_back(Value::string("t" + std::to_string(j)));
      Value d = i % 5 == 1 ? Value::null(DataType::decimal(18, 4))
                           : Value::decimal(static_cast<int128_t>(i) * 31 - 7000, 18, 4);
      put(Value::nested(F(c), {i % 4 == 0 ? Value::null(tags_t) : Value::nested(tags_t, tags),
                               i % 6 == 0 ? Value::null(inner_t) : Value::nested(inner_t, {d})}));
    }
    {
      const DataType& et = F(c).children()[0].type;
      const DataType& lt = et.children()[1].type;
      std::vector<Value> ml;
      for (size_t j = 0; j < i % 3; ++j) {
        std::vector<Value> l;
        for (size_t q = 0; q <= j; ++q) l.push_back(Value::int32(static_cast<int32_t>(i + q)));
        ml.push_back(Value::nested(et, {Value::string("m" + std::to_string(j)),
                                        j == 1 && i % 2 ? Value::null(lt) : Value::nested(lt, l)}));
      }
      put(Value::nested(F(c), ml));
    }
    put(Value::string("constant value"));
    b.columns[c]->append_value(Value::null(F(c)));  // `nul`: every value NULL
    ++b.num_rows;
  }
  return b;
}

std::string write_file(SchemaPtr schema, const std::vector<Batch>& batches, const Options& opts) {
  MemoryOutput out;
  ParquetFormat format;
  auto w = format.open_writer(&out, schema, opts);
  for (const auto& b : batches) w->write(b);
  w->finish();
  return out.data();
}

void expect_same_rows(const std::vector<Batch>& expected, const std::vector<Batch>& got,
                      const std::string& what) {
  size_t er = 0, eb = 0;
  size_t total = 0;
  for (const auto& g : got) {
    for (size_t r = 0; r < g.num_rows; ++r, ++total) {
      while (eb < expected.size() && er >= expected[eb].num_rows) {
        ++eb;
        er = 0;
      }
      ASSERT_LT(eb, expected.size()) << what << ": too many rows";
      for (size_t c = 0; c < g.columns.size(); ++c) {
        Value a = expected[eb].columns[c]->value_at(er), b = g.columns[c]->value_at(r);
        ASSERT_TRUE(a == b) << what << " row " << total << " column " << g.schema->field(c).name
                            << ": wrote " << a.to_string() << ", read " << b.to_string();
      }
      ++er;
    }
  }
  size_t want = 0;
  for (const auto& b : expected) want += b.num_rows;
  EXPECT_EQ(total, want) << what;
}

// ---- the matrix ------------------------------------------------------------------------------

struct Case {
  std::string codec;
  bool dictionary = true;
  size_t rows = 2000;  // written as two batches that straddle row-group boundaries
  int64_t row_group_size = 900;
  int64_t page_size = 1024;  // small: several data pages per column chunk
  size_t long_every = 97;    // one row in this many has a distinct 3000-byte string
  std::string name() const {
    std::string n = codec + (dictionary ? "_dict" : "_plain");
    if (rows == 0) n += "_empty";
    if (page_size > 1024) n += "_bigpages";
    return n;
  }
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name(); }

std::vector<Case> matrix_cases() {
  std::vector<Case> cases;
  for (const char* codec : {"none", "snappy", "zstd", "gzip", "lz4_raw", "brotli"})
    for (bool dict : {true, false}) cases.push_back(Case{codec, dict});
  cases.push_back(Case{"snappy", true, 0});  // no row group at all
  // One row group with big pages and ~2 MB of distinct strings, past the 1 MiB dictionary limit
  // (the chunk falls back to PLAIN).
  cases.push_back(Case{"zstd", true, 2000, 100000, 1 << 20, 3});
  return cases;
}

/// One independent reader: a node script printing every value in duckdb_dump.mjs's form.
struct Reader {
  std::string name;
  std::vector<std::string> packages;  // tests/node_modules/<pkg> it needs
};

const std::vector<Reader>& readers() {
  static const std::vector<Reader> kReaders = {
      {"duckdb", {"@duckdb/node-api"}},
      {"parquet-wasm", {"parquet-wasm", "apache-arrow"}},
      {"hyparquet", {"hyparquet", "hyparquet-compressors"}},
  };
  return kReaders;
}

/// "" when node and every reader's npm packages are installed, else what is missing.
std::string missing_tools() {
  int st;
  run_command("command -v node >/dev/null 2>&1", &st);
  if (st != 0) return "node not installed";
  std::string missing;
  for (const Reader& r : readers())
    for (const std::string& p : r.packages)
      if (!std::filesystem::is_directory(std::string(VELO_SOURCE_DIR) + "/tests/node_modules/" + p))
        missing += " " + p;
  if (!missing.empty())
    return "npm packages missing in tests/node_modules (run scripts/install-deps.sh):" + missing;
  return "";
}

/// A reader's output for one file: rows in canonical JSON, or the error it reported.
struct FileDump {
  std::string error;
  std::vector<std::string> rows;
  bool seen = false;
};

/// Runs `reader` once over all `paths` (one node process per reader keeps the test fast).
std::map<std::string, FileDump> run_reader(const Reader& reader,
                                           const std::vector<std::string>& paths) {
  std::map<std::string, FileDump> out;
  std::string tests = std::string(VELO_SOURCE_DIR) + "/tests";
  int st = 0;
  if (reader.name == "duckdb") {
    // One multi-file scan; the filename column (last) says which file a row came from.
    std::string list;
    for (const auto& p : paths) list += (list.empty() ? "'" : ",'") + p + "'";
    std::string text =
        duckdb_dump(paths[0], "SELECT * FROM read_parquet([" + list + "], filename=true)");
    size_t pos = text.find('\n');
    std::string header = text.substr(0, pos);
    if (header.find("\"error\"") != std::string::npos || pos == std::string::npos) {
      for (const auto& p : paths) out[p].error = text.substr(0, 2000);
      return out;
    }
    for (const auto& p : paths) out[p].seen = true;
    ++pos;
    while (pos < text.size()) {
      size_t end = text.find('\n', pos);
      if (end == std::string::npos) end = text.size();
      std::string_view line(text.data() + pos, end - pos);
      pos = end + 1;
      bool matched = false;
      for (const auto& p : paths) {
        std::string suffix = ",\"" + p + "\"]";
        if (line.size() > suffix.size() && line.substr(line.size() - suffix.size()) == suffix) {
          out[p].rows.push_back(std::string(line.substr(0, line.size() - suffix.size())) + "]");
          matched = true;
          break;
        }
      }
      if (!matched) {
        for (const auto& p : paths) out[p].error = "unattributed duckdb line: " + std::string(line);
        return out;
      }
    }
    return out;
  }
  std::string script = reader.name == "hyparquet" ? "hyparquet_dump.mjs" : "parquet_wasm_dump.mjs";
  std::string cmd = "cd " + tests + " && node parquet/" + script;
  for (const auto& p : paths) cmd += " '" + p + "'";
  std::string text = run_command(cmd + " 2>&1", &st);
  simdjson::dom::parser parser;
  FileDump* cur = nullptr;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.rfind("{\"file\":", 0) == 0) {
      simdjson::dom::element doc;
      std::string_view file;
      if (parser.parse(line).get(doc) || doc["file"].get_string().get(file)) {
        cur = nullptr;
        continue;
      }
      cur = &out[std::string(file)];
      cur->seen = true;
      std::string_view err;
      if (!doc["error"].get_string().get(err)) cur->error = std::string(err);
      continue;
    }
    if (cur && cur->error.empty()) {
      cur->rows.push_back(line);
    } else {
      // Output outside any file section (e.g. node failing to start): blame every file.
      for (const auto& p : paths)
        if (out[p].error.empty()) out[p].error = reader.name + " printed: " + text.substr(0, 2000);
      return out;
    }
  }
  for (const auto& p : paths)
    if (!out[p].seen && out[p].error.empty())
      out[p].error = reader.name + " printed nothing for this file: " + text.substr(0, 2000);
  return out;
}

struct Tally {
  size_t files = 0, values = 0, skipped = 0, partial = 0;
};

/// Compares a reader's rows with what we wrote: "" when every value is equal. Cells printed as
/// {"$skip": why} (a type the reader cannot represent) are counted, not compared.
std::string compare_dump(const std::vector<Batch>& batches, const FileDump& dump, Tally* tally) {
  if (!dump.error.empty()) return "reader error: " + dump.error;
  simdjson::dom::parser parser;
  size_t row = 0, line = 0;
  for (const Batch& b : batches) {
    for (size_t r = 0; r < b.num_rows; ++r, ++row, ++line) {
      if (line >= dump.rows.size())
        return fmt::format("reader has {} rows, velo wrote more", dump.rows.size());
      simdjson::dom::element doc;
      if (parser.parse(dump.rows[line]).get(doc) || !doc.is_array())
        return "cannot parse reader line: " + dump.rows[line];
      auto arr = doc.get_array();
      if (arr.size() != b.columns.size())
        return fmt::format("row {}: reader has {} columns, velo {}", row, arr.size(),
                           b.columns.size());
      size_t c = 0;
      for (auto v : arr) {
        if (v.is_object() && v["$skip"].error() == simdjson::SUCCESS) {
          ++tally->skipped;
        } else if (v.is_object() && v["$ivdt"].error() == simdjson::SUCCESS) {
          // parquet-wasm: arrow-rs maps Parquet INTERVAL to Interval(DayTime), which has no
          // months; days and milliseconds are compared, months are not.
          const Column& col = *b.columns[c];
          if (col.type().id() != TypeId::kInterval || col.is_null(r))
            return fmt::format("row {} column {}: day-time interval for {}", row, c,
                               col.value_at(r).to_string());
          Interval iv = col.value<Interval>(r);
          auto dt = v["$ivdt"].get_array();
          if (int64_t(dt.at(0).get_int64()) != iv.days ||
              int64_t(dt.at(1).get_int64()) != iv.micros)
            return fmt::format("row {} column {} ({}): interval (reader {}, velo {})", row, c,
                               b.schema->field(c).name, simdjson::minify(v),
                               col.value_at(r).to_string());
          ++tally->values;
          ++tally->partial;
        } else {
          std::string m = compare_value(v, *b.columns[c], r);
          if (!m.empty())
            return fmt::format("row {} column {} ({}): {}", row, c, b.schema->field(c).name, m);
          ++tally->values;
        }
        ++c;
      }
    }
  }
  if (line != dump.rows.size())
    return fmt::format("reader has {} rows, velo wrote {}", dump.rows.size(), line);
  ++tally->files;
  return "";
}

struct WrittenFile {
  std::string path;
  std::vector<Batch> batches;
  std::string data;
};

class ParquetWriterMatrix : public ::testing::TestWithParam<Case> {
 public:
  static void SetUpTestSuite() {
    SchemaPtr schema = matrix_schema();
    std::vector<std::string> paths;
    for (const Case& c : matrix_cases()) {
      WrittenFile f;
      size_t first = c.rows * 7 / 20;
      if (c.rows)
        f.batches = {make_batch(schema, first, 0, c.long_every),
                     make_batch(schema, c.rows - first, first, c.long_every)};
      Options opts;
      opts.set("compression", c.codec);
      opts.set("dictionary", c.dictionary ? "true" : "false");
      opts.set("row_group_size", std::to_string(c.row_group_size));
      opts.set("page_size", std::to_string(c.page_size));
      f.data = write_file(schema, f.batches, opts);
      // Per process: ctest runs every case in its own process, in parallel.
      f.path = ::testing::TempDir() + "/velo_matrix_" + std::to_string(getpid()) + "_" + c.name() +
               ".parquet";
      MemoryOutput disk(f.path);
      disk.write(f.data.data(), f.data.size());
      disk.commit();
      paths.push_back(f.path);
      files_[c.name()] = std::move(f);
    }
    missing_ = missing_tools();
    if (!missing_.empty()) return;
    for (const Reader& r : readers()) dumps_[r.name] = run_reader(r, paths);
  }

  static void TearDownTestSuite() {
    for (const Reader& r : readers()) {
      const Tally& t = tallies_[r.name];
      std::printf(
          "[ matrix   ] %-12s %zu files equal, %zu values equal (%zu without months), %zu "
          "skipped\n",
          r.name.c_str(), t.files, t.values, t.partial, t.skipped);
    }
    if (!std::getenv("VELO_KEEP_PARQUET"))
      for (const auto& [name, f] : files_) std::filesystem::remove(f.path);
    files_.clear();
    dumps_.clear();
  }

  static inline std::map<std::string, WrittenFile> files_;
  static inline std::string missing_;
  static inline std::map<std::string, std::map<std::string, FileDump>> dumps_;
  static inline std::map<std::string, Tally> tallies_;
};

TEST_P(ParquetWriterMatrix, ReadsBackEqualInVeloAndThreeIndependentReaders) {
  const Case& c = GetParam();
  const WrittenFile& f = files_.at(c.name());
  SchemaPtr schema = matrix_schema();

  auto file = std::make_shared<MemoryFile>("matrix.parquet", f.data);
  auto pf = parquet::ParquetFile::open(file);
  size_t groups = (c.rows + c.row_group_size - 1) / c.row_group_size;
  EXPECT_EQ(pf->metadata().row_groups.size(), groups);
  EXPECT_EQ(*pf->schema().schema, *schema) << pf->schema().schema->to_string();
  expect_same_rows(f.batches, read_all(file), c.name() + " velo");

  if (!missing_.empty()) GTEST_SKIP() << missing_;
  for (const Reader& r : readers()) {
    EXPECT_EQ(compare_dump(f.batches, dumps_[r.name][f.path], &tallies_[r.name]), "")
        << c.name() << " read by " << r.name << " (" << f.path << ")";
  }
}

INSTANTIATE_TEST_SUITE_P(Codecs, ParquetWriterMatrix, ::testing::ValuesIn(matrix_cases()),
                         [](const auto& info) { return info.param.name(); });

TEST(ParquetWriter, StatisticsPruneRowGroups) {
  auto schema = std::make_shared<Schema>(
      std::vector<Field>{{"k", DataType::int64()}, {"name", DataType::string()}});
  Batch b = Batch::empty(schema);
  for (int64_t i = 0; i < 10000; ++i) {
    b.columns[0]->append<int64_t>(i);
    b.columns[1]->append_string("name" + std::to_string(i / 1000));
  }
  b.num_rows = 10000;
  Options opts;
  opts.set("row_group_size", "1000");
  std::string data = write_file(schema, {b}, opts);
  auto file = std::make_shared<MemoryFile>("pruned.parquet", data);
  ScanSpec spec;
  ScanPredicate p;
  p.column = 0;
  p.op = ScanPredicate::Op::kEq;
  p.values = {Value::int64(4321)};
  spec.predicates = {p};
  size_t rows = 0;
  for (auto& batch : read_all(file, spec)) rows += batch.num_rows;
  EXPECT_EQ(rows, 1000u);  // only the row group holding 4000..4999
  ScanPredicate q;
  q.column = 1;
  q.op = ScanPredicate::Op::kGe;
  q.values = {Value::string("name8")};
  spec.predicates = {q};
  rows = 0;
  for (auto& batch : read_all(file, spec)) rows += batch.num_rows;
  EXPECT_EQ(rows, 2000u);
  q.op = ScanPredicate::Op::kIsNull;
  q.values.clear();
  spec.predicates = {q};
  EXPECT_TRUE(read_all(file, spec).empty());
}

TEST(ParquetWriter, UnknownCompressionIsAUserError) {
  Options opts;
  opts.set("compression", "lzo2");
  MemoryOutput out;
  ParquetFormat format;
  try {
    format.open_writer(&out, matrix_schema(), opts);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUser);
    EXPECT_NE(e.message().find("zstd"), std::string::npos);
  }
}

TEST(ParquetWriter, EmptyFile) {
  std::string data = write_file(matrix_schema(), {}, Options());
  auto file = std::make_shared<MemoryFile>("empty.parquet", data);
  EXPECT_TRUE(read_all(file).empty());
  EXPECT_EQ(*ParquetFormat().infer_schema(file, Options()), *matrix_schema());
}

}  // namespace
}  // namespace velo::parquet_test
