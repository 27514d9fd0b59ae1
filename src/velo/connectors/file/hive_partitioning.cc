#include "velo/connectors/file/hive_partitioning.h"

#include <cerrno>
#include <cstdlib>

#include "velo/connectors/file/path_template.h"
#include "velo/io/column_list.h"
#include "velo/types/error.h"
#include "velo/types/temporal.h"

namespace velo {

namespace {

bool parse_int64(const std::string& s, int64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  size_t i = s[0] == '-' ? 1 : 0;
  if (i == s.size()) return false;
  for (size_t k = i; k < s.size(); ++k)
    if (s[k] < '0' || s[k] > '9') return false;
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0 || *end != '\0') return false;
  *out = v;
  return true;
}

bool is_plain_date(const std::string& s, int32_t* days) {
  return s.size() == 10 && s[4] == '-' && s[7] == '-' && temporal::parse_date(s, days);
}

// The typed value of folder text `text`; false when it does not parse as `type`.
bool typed_value(const std::string& text, const DataType& type, Value* out) {
  if (text == kHiveDefaultPartition) {
    *out = Value::null(type);
    return true;
  }
  int64_t i = 0;
  switch (type.id()) {
    case TypeId::kString:
      *out = Value::string(text);
      return true;
    case TypeId::kInt64:
      if (!parse_int64(text, &i)) return false;
      *out = Value::int64(i);
      return true;
    case TypeId::kInt32:
      if (!parse_int64(text, &i) || i < INT32_MIN || i > INT32_MAX) return false;
      *out = Value::int32(static_cast<int32_t>(i));
      return true;
    case TypeId::kDate: {
      int32_t d = 0;
      if (!temporal::parse_date(text, &d)) return false;
      *out = Value::date(d);
      return true;
    }
    case TypeId::kTimestamp: {
      int64_t t = 0;
      if (!temporal::parse_timestamp(text, &t)) return false;
      *out = Value::timestamp(t);
      return true;
    }
    case TypeId::kBoolean:
      if (text == "true" || text == "false") {
        *out = Value::boolean(text == "true");
        return true;
      }
      return false;
    case TypeId::kDouble: {
      char* end = nullptr;
      double d = std::strtod(text.c_str(), &end);
      if (text.empty() || *end != '\0') return false;
      *out = Value::float64(d);
      return true;
    }
    default:
      throw_user_error(
          "hive_types: {} is not a partition column type (use STRING, BIGINT, "
          "INT, DOUBLE, BOOLEAN, DATE or TIMESTAMP)",
          type.to_string());
  }
}

bool is_number(TypeId id) {
  return id == TypeId::kInt32 || id == TypeId::kInt64 || id == TypeId::kDouble ||
         id == TypeId::kDecimal;
}

// Value::compare is meaningful for the same type and across numeric types only.
bool comparable(const Value& a, const Value& b) {
  TypeId x = a.type().id(), y = b.type().id();
  return !b.is_null() && (x == y || (is_number(x) && is_number(y)));
}

}  // namespace

std::vector<std::pair<std::string, std::string>> hive_folders(const std::string& path) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t end = path.find_last_of('/');
  if (end == std::string::npos) return out;
  size_t start = 0;
  while (start < end) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos || slash > end) slash = end;
    std::string_view seg(path.data() + start, slash - start);
    size_t eq = seg.find('=');
    if (eq != std::string_view::npos && eq > 0 && seg[0] != '.')
      out.emplace_back(unescape_partition_value(seg.substr(0, eq)),
                       unescape_partition_value(seg.substr(eq + 1)));
    start = slash + 1;
  }
  return out;
}

HivePartitioning HivePartitioning::detect(const std::vector<std::string>& paths,
                                          const Options& options) {
  HivePartitioning h;
  std::string mode = Options::lower(options.get_string("hive_partitioning", "auto"));
  if (mode != "auto" && mode != "true" && mode != "false")
    throw_user_error("option 'hive_partitioning' must be true, false or auto, got '{}'", mode);
  std::string declared = options.get_string("hive_types", "");
  bool autocast = options.get_bool("hive_types_autocast", true);
  if (mode == "false" || paths.empty()) return h;
  std::vector<std::pair<std::string, std::string>> first = hive_folders(paths[0]);
  std::vector<std::vector<std::string>> values(first.size());
  for (const std::string& p : paths) {
    auto folders = hive_folders(p);
    bool same = folders.size() == first.size();
    for (size_t i = 0; same && i < folders.size(); ++i)
      same = iequals(folders[i].first, first[i].first);
    if (!same) {
      if (mode == "true")
        throw_user_error(
            "hive_partitioning: '{}' and '{}' have different partition folders (key=value/)",
            paths[0], p);
      return h;  // auto: not a consistently partitioned dataset
    }
    for (size_t i = 0; i < folders.size(); ++i) values[i].push_back(folders[i].second);
  }
  if (first.empty() && mode == "true")
    throw_user_error("hive_partitioning = true, but '{}' is not below key=value/ folders",
                     paths[0]);
  // Declared types: 'year:int, day:date' (a column list with ':' between name and type).
  SchemaPtr types;
  if (!declared.empty()) {
    std::string list = declared;
    for (char& c : list)
      if (c == ':') c = ' ';
    types = parse_column_list(list);
    for (const Field& f : types->fields()) {
      bool known = false;
      for (const auto& kv : first) known = known || iequals(kv.first, f.name);
      if (!known)
        throw_user_error("hive_types names '{}', which is not a partition folder of '{}'", f.name,
                         paths[0]);
    }
  }
  for (size_t i = 0; i < first.size(); ++i) {
    DataType type = DataType::string();
    int k = types ? types->find(first[i].first) : -1;
    if (k >= 0) {
      type = types->field(k).type;
    } else if (autocast) {
      bool dates = true, ints = true, any = false;
      for (const std::string& v : values[i]) {
        if (v == kHiveDefaultPartition) continue;
        any = true;
        int32_t d;
        int64_t n;
        dates = dates && is_plain_date(v, &d);
        ints = ints && parse_int64(v, &n);
      }
      if (any && dates)
        type = DataType::date();
      else if (any && ints)
        type = DataType::int64();
    }
    h.columns_.push_back(Field{first[i].first, type, true});
  }
  for (const std::string& p : paths) h.values_of(p);  // declared types must parse
  return h;
}

std::vector<Value> HivePartitioning::values_of(const std::string& path) const {
  auto folders = hive_folders(path);
  bool same = folders.size() == columns_.size();
  for (size_t i = 0; same && i < folders.size(); ++i)
    same = iequals(folders[i].first, columns_[i].name);
  if (!same) {
    std::string keys;
    for (const Field& f : columns_) keys += (keys.empty() ? "" : "/") + f.name + "=...";
    throw_user_error("'{}' is not below the partition folders {} of the other files", path, keys);
  }
  std::vector<Value> out;
  out.reserve(folders.size());
  for (size_t i = 0; i < folders.size(); ++i) {
    Value v;
    if (!typed_value(folders[i].second, columns_[i].type, &v))
      throw_user_error("partition folder '{}={}' of '{}' is not a {}", folders[i].first,
                       folders[i].second, path, columns_[i].type.to_string());
    out.push_back(std::move(v));
  }
  return out;
}

bool HivePartitioning::may_match(const std::vector<Value>& values,
                                 const std::vector<ScanPredicate>& predicates, int first_column) {
  using Op = ScanPredicate::Op;
  for (const ScanPredicate& p : predicates) {
    int i = p.column - first_column;
    if (i < 0 || static_cast<size_t>(i) >= values.size()) continue;
    const Value& v = values[i];
    if (p.op == Op::kIsNull) {
      if (!v.is_null()) return false;
      continue;
    }
    if (p.op == Op::kIsNotNull) {
      if (v.is_null()) return false;
      continue;
    }
    if (v.is_null()) return false;  // comparisons with NULL are never true
    bool judge = !p.values.empty();
    for (const Value& c : p.values) judge = judge && comparable(v, c);
    if (!judge) continue;  // cannot judge: keep the file
    int c = v.compare(p.values[0]);
    bool keep = true;
    switch (p.op) {
      case Op::kEq:
        keep = c == 0;
        break;
      case Op::kNe:
        keep = c != 0;
        break;
      case Op::kLt:
        keep = c < 0;
        break;
      case Op::kLe:
        keep = c <= 0;
        break;
      case Op::kGt:
        keep = c > 0;
        break;
      case Op::kGe:
        keep = c >= 0;
        break;
      case Op::kIn:
        keep = false;
        for (const Value& x : p.values) keep = keep || v.compare(x) == 0;
        break;
      default:
        break;
    }
    if (!keep) return false;
  }
  return true;
}

}  // namespace velo
