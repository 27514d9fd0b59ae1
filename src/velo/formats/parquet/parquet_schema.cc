#include "velo/formats/parquet/parquet_schema.h"

#include "velo/types/decimal.h"
#include "velo/types/error.h"

namespace velo::parquet {

namespace {

struct TreeNode {
  const SchemaElement* e = nullptr;
  std::vector<int> children;
  int16_t max_def = 0;
  int16_t max_rep = 0;
  std::string path;
};

class SchemaBuilder {
 public:
  SchemaBuilder(const std::vector<SchemaElement>& elements, const std::string& file)
      : elements_(elements), file_(file) {}

  FileSchema build() {
    if (elements_.empty()) fail("the schema is empty");
    size_t pos = 0;
    int root = parse(&pos, 0, 0, 0, "");
    if (pos != elements_.size())
      fail(fmt::format("schema has {} elements but the tree uses {}", elements_.size(), pos));
    FileSchema fs;
    std::vector<Field> fields;
    for (int c : nodes_[root].children) {
      size_t first_leaf = leaves_.size();
      OutputNode n = convert(c, false);
      std::vector<int> leaf_ids;
      for (size_t i = first_leaf; i < leaves_.size(); ++i) leaf_ids.push_back(static_cast<int>(i));
      fields.push_back(Field{nodes_[c].e->name, n.type, true});
      fs.fields.push_back(std::move(n));
      fs.field_leaves.push_back(std::move(leaf_ids));
    }
    fs.leaves = std::move(leaves_);
    fs.schema = std::make_shared<Schema>(std::move(fields));
    return fs;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(ErrorKind::kFormat, "invalid parquet schema: " + what, ErrorLocation{file_});
  }

  int parse(size_t* pos, int depth, int16_t def, int16_t rep, const std::string& prefix) {
    if (depth > 64) fail("schema nested too deeply");
    if (*pos >= elements_.size()) fail("schema element list ends early");
    const SchemaElement& e = elements_[(*pos)++];
    TreeNode n;
    n.e = &e;
    n.path = prefix.empty() ? e.name : prefix + "." + e.name;
    if (depth > 0) {
      Repetition r = e.repetition.value_or(Repetition::kOptional);
      if (r != Repetition::kRequired) ++def;
      if (r == Repetition::kRepeated) ++rep;
    }
    n.max_def = def;
    n.max_rep = rep;
    int id = static_cast<int>(nodes_.size());
    nodes_.push_back(n);
    bool group = depth == 0 || !e.type.has_value() || e.num_children > 0;
    if (group) {
      if (e.num_children < 0 || static_cast<size_t>(e.num_children) > elements_.size() - *pos)
        fail(fmt::format("'{}' claims {} children", e.name, e.num_children));
      if (depth > 0 && e.num_children == 0) fail(fmt::format("group '{}' has no children", e.name));
      std::string child_prefix = depth == 0 ? "" : nodes_[id].path;
      for (int i = 0; i < e.num_children; ++i) {
        int c = parse(pos, depth + 1, def, rep, child_prefix);
        nodes_[id].children.push_back(c);
      }
    }
    return id;
  }

  bool is_group(int id) const { return !nodes_[id].children.empty(); }

  int16_t parent_def(int id) const {
    const TreeNode& n = nodes_[id];
    Repetition r = n.e->repetition.value_or(Repetition::kOptional);
    return r == Repetition::kRequired ? n.max_def : n.max_def - 1;
  }

  OutputNode convert(int id, bool as_element) {
    const TreeNode& n = nodes_[id];
    const SchemaElement& e = *n.e;
    Repetition r = e.repetition.value_or(Repetition::kOptional);
    if (r == Repetition::kRepeated && !as_element) {
      // An unannotated repeated field: a required list of required elements.
      OutputNode list;
      list.kind = OutputNode::Kind::kList;
      list.def_level = parent_def(id);
      list.elem_def = n.max_def;
      list.rep_level = n.max_rep;
      list.children.push_back(convert(id, true));
      list.type = DataType::list_of(list.children[0].type);
      return list;
    }
    if (!is_group(id)) return convert_leaf(id);
    bool is_list =
        e.logical_type.kind == LogicalType::kList || e.converted_type == ConvertedType::kList;
    bool is_map = e.logical_type.kind == LogicalType::kMap ||
                  e.converted_type == ConvertedType::kMap ||
                  e.converted_type == ConvertedType::kMapKeyValue;
    if ((is_list || is_map) && n.children.size() == 1 &&
        nodes_[n.children[0]].e->repetition == Repetition::kRepeated && !as_element_repeated(id)) {
      int rid = n.children[0];
      const TreeNode& rn = nodes_[rid];
      OutputNode list;
      list.kind = OutputNode::Kind::kList;
      list.def_level = n.max_def;
      list.elem_def = rn.max_def;
      list.rep_level = rn.max_rep;
      if (is_map && is_group(rid) && rn.children.size() == 2) {
        OutputNode entries;
        entries.kind = OutputNode::Kind::kStruct;
        entries.def_level = rn.max_def;
        entries.children.push_back(convert(rn.children[0], false));
        entries.children.push_back(convert(rn.children[1], false));
        DataType key = entries.children[0].type;
        DataType value = entries.children[1].type;
        list.type = DataType::map_of(key, value);
        entries.type = list.type.children()[0].type;
        list.children.push_back(std::move(entries));
        return list;
      }
      const std::string& rname = rn.e->name;
      bool two_level = !is_group(rid) || rn.children.size() > 1 || rname == "array" ||
                       rname == e.name + "_tuple";
      if (two_level)
        list.children.push_back(convert(rid, true));
      else
        list.children.push_back(convert(rn.children[0], false));
      list.type = DataType::list_of(list.children[0].type);
      return list;
    }
    OutputNode st;
    st.kind = OutputNode::Kind::kStruct;
    st.def_level = n.max_def;
    std::vector<Field> fields;
    for (int c : n.children) {
      st.children.push_back(convert(c, false));
      fields.push_back(Field{nodes_[c].e->name, st.children.back().type, true});
    }
    st.type = DataType::struct_of(std::move(fields));
    return st;
  }

  // A LIST/MAP annotation on a node that is itself repeated is ignored (treated as a struct).
  bool as_element_repeated(int id) const { return false; }

  OutputNode convert_leaf(int id) {
    const TreeNode& n = nodes_[id];
    const SchemaElement& e = *n.e;
    LeafInfo leaf;
    leaf.index = static_cast<int>(leaves_.size());
    leaf.path = n.path;
    leaf.physical = *e.type;
    leaf.type_length = e.type_length;
    leaf.max_def = n.max_def;
    leaf.max_rep = n.max_rep;
    resolve_type(e, &leaf);
    OutputNode out;
    out.kind = OutputNode::Kind::kLeaf;
    out.type = leaf.type;
    out.def_level = n.max_def;
    out.leaf = leaf.index;
    leaves_.push_back(std::move(leaf));
    return out;
  }

  void set_decimal(const SchemaElement& e, int precision, int scale, LeafInfo* leaf) {
    if (precision <= 0 || scale < 0 || scale > precision)
      fail(fmt::format("column '{}' has DECIMAL({},{})", leaf->path, precision, scale));
    if (precision > decimal::kMaxPrecision)
      throw Error(ErrorKind::kNotSupported,
                  fmt::format("not supported yet: column '{}' is DECIMAL({},{}); at most {} digits",
                              leaf->path, precision, scale, decimal::kMaxPrecision),
                  ErrorLocation{file_});
    leaf->type = DataType::decimal(precision, scale);
    leaf->scale = scale;
    switch (leaf->physical) {
      case PhysicalType::kInt32:
        leaf->conversion = Conversion::kInt32Decimal;
        break;
      case PhysicalType::kInt64:
        leaf->conversion = Conversion::kInt64Decimal;
        break;
      case PhysicalType::kByteArray:
      case PhysicalType::kFixedLenByteArray:
        leaf->conversion = Conversion::kBinaryDecimal;
        break;
      default:
        fail(fmt::format("column '{}': DECIMAL on an unsupported physical type", leaf->path));
    }
  }

  void resolve_type(const SchemaElement& e, LeafInfo* leaf) {
    const LogicalType& lt = e.logical_type;
    PhysicalType p = leaf->physical;
    if (p == PhysicalType::kFixedLenByteArray && (e.type_length <= 0 || e.type_length > (1 << 24)))
      fail(
          fmt::format("column '{}' has FIXED_LEN_BYTE_ARRAY length {}", leaf->path, e.type_length));
    auto plain = [&] {
      switch (p) {
        case PhysicalType::kBoolean:
          leaf->type = DataType::boolean();
          leaf->conversion = Conversion::kBoolean;
          return;
        case PhysicalType::kInt32:
          leaf->type = DataType::int32();
          leaf->conversion = Conversion::kInt32;
          return;
        case PhysicalType::kInt64:
          leaf->type = DataType::int64();
          leaf->conversion = Conversion::kInt64;
          return;
        case PhysicalType::kInt96:
          leaf->type = DataType::timestamp();
          leaf->conversion = Conversion::kInt96Timestamp;
          return;
        case PhysicalType::kFloat:
          leaf->type = DataType::float64();
          leaf->conversion = Conversion::kFloat;
          return;
        case PhysicalType::kDouble:
          leaf->type = DataType::float64();
          leaf->conversion = Conversion::kDouble;
          return;
        case PhysicalType::kByteArray:
        case PhysicalType::kFixedLenByteArray:
          leaf->type = DataType::bytes();
          leaf->conversion = Conversion::kBinaryBytes;
          return;
      }
    };
    auto is_binary = p == PhysicalType::kByteArray || p == PhysicalType::kFixedLenByteArray;
    auto as_string = [&] {
      if (!is_binary) return plain();
      leaf->type = DataType::string();
      leaf->conversion = Conversion::kBinaryString;
    };
    auto as_timestamp = [&](int unit) {
      if (p != PhysicalType::kInt64) return plain();
      leaf->type = DataType::timestamp();
      leaf->conversion = unit == 1   ? Conversion::kInt64TimestampMillis
                         : unit == 3 ? Conversion::kInt64TimestampNanos
                                     : Conversion::kInt64TimestampMicros;
    };
    auto as_time = [&](int unit) {
      leaf->type = DataType::int64();
      if (p == PhysicalType::kInt32 && unit == 1)
        leaf->conversion = Conversion::kInt32TimeMillis;
      else if (p == PhysicalType::kInt64 && unit == 3)
        leaf->conversion = Conversion::kInt64TimeNanos;
      else if (p == PhysicalType::kInt64)
        leaf->conversion = Conversion::kInt64;
      else
        plain();
    };
    auto as_int = [&](int bits, bool is_signed) {
      if (p == PhysicalType::kInt32) {
        if (bits == 32 && !is_signed) {
          leaf->type = DataType::int64();
          leaf->conversion = Conversion::kInt32ToInt64;
        } else {
          plain();
        }
      } else {
        plain();
      }
    };
    switch (lt.kind) {
      case LogicalType::kString:
      case LogicalType::kEnum:
      case LogicalType::kJson:
        return as_string();
      case LogicalType::kBson:
        return plain();
      case LogicalType::kDecimal:
        return set_decimal(e, lt.precision, lt.scale, leaf);
      case LogicalType::kDate:
        if (p != PhysicalType::kInt32) return plain();
        leaf->type = DataType::date();
        leaf->conversion = Conversion::kInt32Date;
        return;
      case LogicalType::kTime:
        return as_time(lt.unit);
      case LogicalType::kTimestamp:
        return as_timestamp(lt.unit);
      case LogicalType::kInteger:
        return as_int(lt.bit_width, lt.is_signed);
      case LogicalType::kUuid:
        if (p != PhysicalType::kFixedLenByteArray || e.type_length != 16) return plain();
        leaf->type = DataType::string();
        leaf->conversion = Conversion::kUuid;
        return;
      case LogicalType::kFloat16:
        if (p != PhysicalType::kFixedLenByteArray || e.type_length != 2) return plain();
        leaf->type = DataType::float64();
        leaf->conversion = Conversion::kFloat16;
        return;
      default:
        break;  // absent or unknown to us: the converted type, then the physical type decide
    }
    switch (e.converted_type) {
      case ConvertedType::kUtf8:
      case ConvertedType::kEnum:
      case ConvertedType::kJson:
        return as_string();
      case ConvertedType::kDecimal:
        return set_decimal(e, e.precision, e.scale, leaf);
      case ConvertedType::kDate:
        if (p != PhysicalType::kInt32) return plain();
        leaf->type = DataType::date();
        leaf->conversion = Conversion::kInt32Date;
        return;
      case ConvertedType::kTimeMillis:
        return as_time(1);
      case ConvertedType::kTimeMicros:
        return as_time(2);
      case ConvertedType::kTimestampMillis:
        return as_timestamp(1);
      case ConvertedType::kTimestampMicros:
        return as_timestamp(2);
      case ConvertedType::kUint32:
        return as_int(32, false);
      case ConvertedType::kInterval:
        if (p != PhysicalType::kFixedLenByteArray || e.type_length != 12) return plain();
        leaf->type = DataType::interval();
        leaf->conversion = Conversion::kInterval;
        return;
      default:
        return plain();
    }
  }

  const std::vector<SchemaElement>& elements_;
  const std::string& file_;
  std::vector<TreeNode> nodes_;
  std::vector<LeafInfo> leaves_;
};

}  // namespace

FileSchema build_file_schema(const std::vector<SchemaElement>& elements, const std::string& file) {
  return SchemaBuilder(elements, file).build();
}

}  // namespace velo::parquet
