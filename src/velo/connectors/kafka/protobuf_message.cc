#include "velo/connectors/kafka/protobuf_message.h"

#include <google/protobuf/compiler/parser.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/util/json_util.h>

#include <limits>
#include <map>
#include <set>

#include "velo/connectors/kafka/confluent_frame.h"
#include "velo/formats/avro/avro_datum.h"
#include "velo/fs/http/crypto.h"
#include "velo/types/decimal.h"
#include "velo/types/temporal.h"

namespace velo::kafka {

namespace pb = google::protobuf;

namespace {

using FieldType = pb::FieldDescriptor::Type;
using CppType = pb::FieldDescriptor::CppType;

// ---- loading schemas ---------------------------------------------------------------------

/// Collects the parser's and the pool builder's complaints into one message.
class Complaints : public pb::io::ErrorCollector, public pb::DescriptorPool::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    add(fmt::format("line {}:{}: {}", line + 1, column + 1, message));
  }
  void AddError(const std::string& filename, const std::string& element_name, const pb::Message*,
                ErrorLocation, const std::string& message) override {
    add(fmt::format("{}: {}: {}", filename, element_name, message));
  }
  std::string text() const { return text_.empty() ? "unknown error" : text_; }

 private:
  void add(std::string m) {
    if (text_.size() < 1000) text_ += (text_.empty() ? "" : "; ") + m;
  }
  std::string text_;
};

/// .proto source, or base64 of a serialized FileDescriptorProto (no ';' or '{' in it).
pb::FileDescriptorProto parse_file(const std::string& text, const std::string& name) {
  pb::FileDescriptorProto file;
  if (text.find_first_of(";{") == std::string::npos) {
    std::string bytes;
    try {
      bytes = http::base64_decode(text, "protobuf schema");
    } catch (const Error&) {
      throw_format_error("protobuf schema '{}' is neither .proto text nor a base64 descriptor",
                         name);
    }
    if (!file.ParseFromString(bytes))
      throw_format_error("protobuf schema '{}': not a serialized FileDescriptorProto", name);
  } else {
    pb::io::ArrayInputStream input(text.data(), static_cast<int>(text.size()));
    Complaints complaints;
    pb::io::Tokenizer tokenizer(&input, &complaints);
    pb::compiler::Parser parser;
    parser.RecordErrorsTo(&complaints);
    if (!parser.Parse(&tokenizer, &file))
      throw_format_error("protobuf schema '{}' does not parse: {}", name, complaints.text());
  }
  if (file.name().empty()) file.set_name(name);
  return file;
}

/// One registered schema's descriptors: the file, what it imports, and a message factory.
class ProtoSchema {
 public:
  ProtoSchema(const RegisteredSchema& schema, SchemaRegistry* registry, const std::string& name)
      : pool_(std::make_unique<pb::DescriptorPool>()) {
    if (schema.type != "PROTOBUF")
      throw_format_error("it is a {} schema, not PROTOBUF", schema.type);
    collect_references(schema, registry, 0);
    pb::FileDescriptorProto root = parse_file(schema.text, name);
    file_ = build(root, 0);
    factory_ = std::make_unique<pb::DynamicMessageFactory>(pool_.get());
  }

  const pb::FileDescriptor* file() const { return file_; }

  /// The message at a Confluent message-index path ([] = the first message).
  const pb::Descriptor* message_at(const std::vector<int64_t>& path) const {
    if (file_->message_type_count() == 0) throw_format_error("the schema defines no message");
    if (path.empty()) return file_->message_type(0);
    const pb::Descriptor* d = nullptr;
    for (size_t i = 0; i < path.size(); ++i) {
      int count = i == 0 ? file_->message_type_count() : d->nested_type_count();
      if (path[i] < 0 || path[i] >= count)
        throw_format_error("message index {} is out of range (the schema has {} there)", path[i],
                           count);
      d = i == 0 ? file_->message_type(static_cast<int>(path[i]))
                 : d->nested_type(static_cast<int>(path[i]));
    }
    return d;
  }

  /// By full name, or by simple name among the file's top-level messages; "" = the first.
  const pb::Descriptor* message_named(const std::string& name) const {
    if (name.empty()) return message_at({});
    if (const pb::Descriptor* d = pool_->FindMessageTypeByName(name)) return d;
    for (int i = 0; i < file_->message_type_count(); ++i)
      if (file_->message_type(i)->name() == name) return file_->message_type(i);
    throw_user_error("the protobuf schema has no message '{}'", name);
  }

  std::unique_ptr<pb::Message> make(const pb::Descriptor* d) const {
    return std::unique_ptr<pb::Message>(factory_->GetPrototype(d)->New());
  }

 private:
  void collect_references(const RegisteredSchema& schema, SchemaRegistry* registry, int depth) {
    if (depth > 16) throw_format_error("protobuf schema references nest deeper than 16");
    for (const auto& ref : schema.references) {
      if (available_.count(ref.name)) continue;
      // Well-known types come with libprotobuf; no need to ask the registry.
      if (pb::DescriptorPool::generated_pool()->FindFileByName(ref.name)) continue;
      if (!registry)
        throw_format_error("protobuf schema reference '{}' needs a registry", ref.name);
      RegisteredSchemaPtr dep = registry->raw_version(ref.subject, ref.version);
      available_.emplace(ref.name, parse_file(dep->text, ref.name));
      collect_references(*dep, registry, depth + 1);
    }
  }

  const pb::FileDescriptor* build(const pb::FileDescriptorProto& file, int depth) {
    if (depth > 32) throw_format_error("protobuf imports nest deeper than 32 (a cycle?)");
    for (const std::string& dep : file.dependency()) {
      if (pool_->FindFileByName(dep)) continue;
      if (auto it = available_.find(dep); it != available_.end()) {
        build(it->second, depth + 1);
      } else if (const pb::FileDescriptor* known =
                     pb::DescriptorPool::generated_pool()->FindFileByName(dep)) {
        pb::FileDescriptorProto copy;
        known->CopyTo(&copy);
        build(copy, depth + 1);
      } else {
        throw_format_error(
            "protobuf schema '{}' imports '{}', which is neither among its references nor a "
            "well-known type",
            file.name(), dep);
      }
    }
    if (const pb::FileDescriptor* done = pool_->FindFileByName(file.name())) return done;
    Complaints complaints;
    const pb::FileDescriptor* built = pool_->BuildFileCollectingErrors(file, &complaints);
    if (!built)
      throw_format_error("protobuf schema '{}' is not valid: {}", file.name(), complaints.text());
    return built;
  }

  std::map<std::string, pb::FileDescriptorProto> available_;  // references by import name
  std::unique_ptr<pb::DescriptorPool> pool_;
  const pb::FileDescriptor* file_ = nullptr;
  std::unique_ptr<pb::DynamicMessageFactory> factory_;  // destroyed before the pool
};

// ---- types ---------------------------------------------------------------------------------

enum class Wkt { kNone, kTimestamp, kDuration, kWrapper, kJson };

Wkt well_known(const pb::Descriptor* d) {
  const std::string& n = d->full_name();
  if (n.rfind("google.protobuf.", 0) != 0) return Wkt::kNone;
  std::string_view s = std::string_view(n).substr(16);
  if (s == "Timestamp") return Wkt::kTimestamp;
  if (s == "Duration") return Wkt::kDuration;
  if (s == "DoubleValue" || s == "FloatValue" || s == "Int64Value" || s == "UInt64Value" ||
      s == "Int32Value" || s == "UInt32Value" || s == "BoolValue" || s == "StringValue" ||
      s == "BytesValue")
    return Wkt::kWrapper;
  if (s == "Struct" || s == "Value" || s == "ListValue" || s == "Any") return Wkt::kJson;
  return Wkt::kNone;
}

DataType field_type(const pb::FieldDescriptor* fd, std::vector<const pb::Descriptor*>* stack);

DataType element_type(const pb::FieldDescriptor* fd, std::vector<const pb::Descriptor*>* stack) {
  switch (fd->type()) {
    case FieldType::TYPE_DOUBLE:
    case FieldType::TYPE_FLOAT:
      return DataType::float64();
    case FieldType::TYPE_INT32:
    case FieldType::TYPE_SINT32:
    case FieldType::TYPE_SFIXED32:
      return DataType::int32();
    case FieldType::TYPE_UINT32:
    case FieldType::TYPE_FIXED32:
    case FieldType::TYPE_INT64:
    case FieldType::TYPE_SINT64:
    case FieldType::TYPE_SFIXED64:
    case FieldType::TYPE_UINT64:
    case FieldType::TYPE_FIXED64:
      return DataType::int64();
    case FieldType::TYPE_BOOL:
      return DataType::boolean();
    case FieldType::TYPE_STRING:
    case FieldType::TYPE_ENUM:
      return DataType::string();
    case FieldType::TYPE_BYTES:
      return DataType::bytes();
    case FieldType::TYPE_MESSAGE:
    case FieldType::TYPE_GROUP: {
      const pb::Descriptor* d = fd->message_type();
      switch (well_known(d)) {
        case Wkt::kTimestamp:
          return DataType::timestamp();
        case Wkt::kDuration:
          return DataType::interval();
        case Wkt::kWrapper:
          return element_type(d->FindFieldByNumber(1), stack);
        case Wkt::kJson:
          return DataType::string();
        case Wkt::kNone:
          break;
      }
      for (const pb::Descriptor* open : *stack)
        if (open == d) throw_not_supported("recursive protobuf message '{}'", d->full_name());
      stack->push_back(d);
      std::vector<Field> fields;
      for (int i = 0; i < d->field_count(); ++i)
        fields.push_back({d->field(i)->name(), field_type(d->field(i), stack), true});
      stack->pop_back();
      if (fields.empty())
        throw_not_supported("protobuf message '{}' without fields", d->full_name());
      return DataType::struct_of(std::move(fields));
    }
  }
  throw_internal_error("unknown protobuf field type");
}

DataType field_type(const pb::FieldDescriptor* fd, std::vector<const pb::Descriptor*>* stack) {
  if (fd->is_map()) {
    const pb::Descriptor* entry = fd->message_type();
    return DataType::map_of(element_type(entry->FindFieldByNumber(1), stack),
                            element_type(entry->FindFieldByNumber(2), stack));
  }
  DataType t = element_type(fd, stack);
  return fd->is_repeated() ? DataType::list_of(t) : t;
}

SchemaPtr schema_of(const pb::Descriptor* d) {
  std::vector<const pb::Descriptor*> stack{d};
  std::vector<Field> fields;
  for (int i = 0; i < d->field_count(); ++i)
    fields.push_back({d->field(i)->name(), field_type(d->field(i), &stack), true});
  return std::make_shared<const Schema>(std::move(fields));
}

// ---- decoding ------------------------------------------------------------------------------

/// How one target column is read from one message type, resolved once per writer schema.
struct Plan {
  const pb::FieldDescriptor* field = nullptr;  // null: no such field, the column is NULL
  Wkt wkt = Wkt::kNone;                        // of a message-typed field
  /// STRUCT: one per target child. MAP: {key, value} over the entry message.
  std::vector<Plan> children;
};

Plan plan_for(const DataType& target, const pb::FieldDescriptor* fd);

std::vector<Plan> plan_fields(const std::vector<Field>& targets, const pb::Descriptor* d) {
  std::vector<Plan> out;
  for (const auto& f : targets) out.push_back(plan_for(f.type, d->FindFieldByName(f.name)));
  return out;
}

Plan plan_for(const DataType& target, const pb::FieldDescriptor* fd) {
  Plan p;
  p.field = fd;
  if (!fd || fd->cpp_type() != CppType::CPPTYPE_MESSAGE) return p;
  const pb::Descriptor* d = fd->message_type();
  if (fd->is_map()) {
    if (target.id() == TypeId::kMap) {
      const auto& entry = target.children()[0].type.children();
      p.children.push_back(plan_for(entry[0].type, d->FindFieldByNumber(1)));
      p.children.push_back(plan_for(entry[1].type, d->FindFieldByNumber(2)));
    }
    return p;
  }
  p.wkt = well_known(d);
  const DataType& element =
      target.id() == TypeId::kList && fd->is_repeated() ? target.children()[0].type : target;
  if (p.wkt == Wkt::kNone && element.id() == TypeId::kStruct)
    p.children = plan_fields(element.children(), d);
  return p;
}

[[noreturn]] void mismatch(const Column& col, const pb::FieldDescriptor* fd) {
  throw_format_error("field '{}': protobuf {} cannot be read as {}", fd->name(),
                     fd->is_map() ? "map" : fd->type_name(), col.type().to_string());
}

class Reader {
 public:
  /// Appends field `p.field` of `m` (element `index` of a repeated field, -1 for a singular one).
  void append(Column& col, const pb::Message& m, const Plan& p, int index) {
    const pb::FieldDescriptor* fd = p.field;
    if (!fd) {
      col.append_null();
      return;
    }
    const pb::Reflection* r = m.GetReflection();
    if (index < 0 && fd->is_repeated()) {
      append_repeated(col, m, p);
      return;
    }
    if (index < 0 && fd->has_presence() && !r->HasField(m, fd)) {
      col.append_null();
      return;
    }
    switch (fd->cpp_type()) {
      case CppType::CPPTYPE_INT32:
        append_int(col, fd, index < 0 ? r->GetInt32(m, fd) : r->GetRepeatedInt32(m, fd, index));
        return;
      case CppType::CPPTYPE_INT64:
        append_int(col, fd, index < 0 ? r->GetInt64(m, fd) : r->GetRepeatedInt64(m, fd, index));
        return;
      case CppType::CPPTYPE_UINT32:
        append_int(col, fd, index < 0 ? r->GetUInt32(m, fd) : r->GetRepeatedUInt32(m, fd, index));
        return;
      case CppType::CPPTYPE_UINT64: {
        uint64_t v = index < 0 ? r->GetUInt64(m, fd) : r->GetRepeatedUInt64(m, fd, index);
        if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
          throw_format_error("field '{}': {} does not fit BIGINT", fd->name(), v);
        append_int(col, fd, static_cast<int64_t>(v));
        return;
      }
      case CppType::CPPTYPE_DOUBLE:
        append_double(col, fd,
                      index < 0 ? r->GetDouble(m, fd) : r->GetRepeatedDouble(m, fd, index));
        return;
      case CppType::CPPTYPE_FLOAT:
        append_double(col, fd, index < 0 ? r->GetFloat(m, fd) : r->GetRepeatedFloat(m, fd, index));
        return;
      case CppType::CPPTYPE_BOOL: {
        bool v = index < 0 ? r->GetBool(m, fd) : r->GetRepeatedBool(m, fd, index);
        if (col.type().id() == TypeId::kBoolean)
          col.append<uint8_t>(v ? 1 : 0);
        else if (col.type().id() == TypeId::kString)
          col.append_string(v ? "true" : "false");
        else
          mismatch(col, fd);
        return;
      }
      case CppType::CPPTYPE_ENUM: {
        int number = index < 0 ? r->GetEnumValue(m, fd) : r->GetRepeatedEnumValue(m, fd, index);
        const pb::EnumValueDescriptor* e = fd->enum_type()->FindValueByNumber(number);
        if (col.type().id() == TypeId::kString)
          col.append_string(e ? e->name() : std::to_string(number));
        else if (col.type().is_integer())
          append_int(col, fd, number);
        else
          mismatch(col, fd);
        return;
      }
      case CppType::CPPTYPE_STRING: {
        const std::string& s = index < 0 ? r->GetStringReference(m, fd, &scratch_)
                                         : r->GetRepeatedStringReference(m, fd, index, &scratch_);
        append_text(col, fd, s);
        return;
      }
      case CppType::CPPTYPE_MESSAGE:
        append_message(col, index < 0 ? r->GetMessage(m, fd) : r->GetRepeatedMessage(m, fd, index),
                       p);
        return;
    }
  }

  /// Appends the target's columns of message `m` (the top-level row).
  void append_fields(std::vector<ColumnPtr>& columns, const pb::Message& m,
                     const std::vector<Plan>& plans) {
    for (size_t i = 0; i < plans.size(); ++i) append(*columns[i], m, plans[i], -1);
  }

 private:
  void append_repeated(Column& col, const pb::Message& m, const Plan& p) {
    const pb::FieldDescriptor* fd = p.field;
    const pb::Reflection* r = m.GetReflection();
    int n = r->FieldSize(m, fd);
    if (fd->is_map()) {
      if (col.type().id() != TypeId::kMap) mismatch(col, fd);
      Column& entries = col.child(0);
      for (int i = 0; i < n; ++i) {
        const pb::Message& entry = r->GetRepeatedMessage(m, fd, i);
        append(entries.child(0), entry, p.children[0], -1);
        append(entries.child(1), entry, p.children[1], -1);
        entries.append_struct_row();
      }
      col.append_list_end();
      return;
    }
    if (col.type().id() != TypeId::kList) mismatch(col, fd);
    for (int i = 0; i < n; ++i) append(col.child(0), m, p, i);
    col.append_list_end();
  }

  void append_message(Column& col, const pb::Message& msg, const Plan& p) {
    const pb::Descriptor* d = msg.GetDescriptor();
    const pb::Reflection* r = msg.GetReflection();
    switch (p.wkt) {
      case Wkt::kTimestamp:
      case Wkt::kDuration: {
        int64_t seconds = r->GetInt64(msg, d->FindFieldByNumber(1));
        int32_t nanos = r->GetInt32(msg, d->FindFieldByNumber(2));
        int64_t micros = seconds * temporal::kMicrosPerSecond + nanos / 1000;
        if (p.wkt == Wkt::kTimestamp && col.type().id() == TypeId::kTimestamp)
          col.append<int64_t>(micros);
        else if (p.wkt == Wkt::kDuration && col.type().id() == TypeId::kInterval)
          col.append<Interval>(Interval{0, 0, micros});
        else
          mismatch(col, p.field);
        return;
      }
      case Wkt::kWrapper: {
        Plan inner;
        inner.field = d->FindFieldByNumber(1);
        append(col, msg, inner, -1);
        return;
      }
      case Wkt::kJson: {
        if (col.type().id() != TypeId::kString) mismatch(col, p.field);
        scratch_.clear();
        auto status = pb::util::MessageToJsonString(msg, &scratch_);
        if (!status.ok()) throw_format_error("field '{}': {}", p.field->name(), status.ToString());
        col.append_string(scratch_);
        return;
      }
      case Wkt::kNone:
        break;
    }
    if (col.type().id() == TypeId::kString) {  // a message read into a STRING column: its JSON
      scratch_.clear();
      auto status = pb::util::MessageToJsonString(msg, &scratch_);
      if (!status.ok()) throw_format_error("field '{}': {}", p.field->name(), status.ToString());
      col.append_string(scratch_);
      return;
    }
    if (col.type().id() != TypeId::kStruct) mismatch(col, p.field);
    for (size_t i = 0; i < p.children.size(); ++i) append(col.child(i), msg, p.children[i], -1);
    col.append_struct_row();
  }

  void append_int(Column& col, const pb::FieldDescriptor* fd, int64_t v) {
    switch (col.type().id()) {
      case TypeId::kInt32:
        if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max())
          throw_format_error("field '{}': {} does not fit INT", fd->name(), v);
        col.append<int32_t>(static_cast<int32_t>(v));
        return;
      case TypeId::kInt64:
        col.append<int64_t>(v);
        return;
      case TypeId::kDouble:
        col.append<double>(static_cast<double>(v));
        return;
      case TypeId::kDate:
        if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max())
          throw_format_error("field '{}': {} is not a date", fd->name(), v);
        col.append<int32_t>(static_cast<int32_t>(v));
        return;
      case TypeId::kDecimal: {
        int128_t d;
        if (!decimal::rescale(v, 0, col.type().scale(), &d) ||
            decimal::digits(d) > col.type().precision())
          throw_format_error("field '{}': {} does not fit {}", fd->name(), v,
                             col.type().to_string());
        col.append<int128_t>(d);
        return;
      }
      case TypeId::kString:
        col.append_string(std::to_string(v));
        return;
      default:
        mismatch(col, fd);
    }
  }

  void append_double(Column& col, const pb::FieldDescriptor* fd, double v) {
    if (col.type().id() == TypeId::kDouble)
      col.append<double>(v);
    else if (col.type().id() == TypeId::kString)
      col.append_string(fmt::format("{}", v));
    else
      mismatch(col, fd);
  }

  void append_text(Column& col, const pb::FieldDescriptor* fd, const std::string& s) {
    if (col.type().is_binary_like()) {
      col.append_string(s);
      return;
    }
    try {
      velo::kafka::append_text(col, s);  // DECIMAL, DATE, TIMESTAMP, ... written as text
    } catch (const Error& e) {
      throw_format_error("field '{}': {}", fd->name(), e.message());
    }
  }

  std::string scratch_;
};

/// Reads the zigzag varint at `*p`; false when the input ends first.
bool read_zigzag(const uint8_t** p, const uint8_t* end, int64_t* out) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (*p >= end) return false;
    uint8_t b = *(*p)++;
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *out = static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
      return true;
    }
  }
  return false;
}

class ProtobufDecoder : public MessageDecoder {
 public:
  ProtobufDecoder(std::shared_ptr<SchemaRegistry> registry, SchemaPtr target)
      : registry_(std::move(registry)), target_(std::move(target)) {}

  void append(std::string_view payload, std::vector<ColumnPtr>& columns) override {
    ConfluentFrame framed = parse_confluent_frame(payload, "protobuf");
    const auto* p = reinterpret_cast<const uint8_t*>(framed.body.data());
    const uint8_t* end = p + framed.body.size();
    int64_t count = 0;
    if (!read_zigzag(&p, end, &count) || count < 0 || count > 64)
      throw_format_error("malformed protobuf message-index array");
    path_.clear();
    for (int64_t i = 0; i < count; ++i) {
      int64_t index;
      if (!read_zigzag(&p, end, &index))
        throw_format_error("malformed protobuf message-index array");
      path_.push_back(index);
    }
    Entry& e = entry(framed.schema_id, path_);
    e.message->Clear();
    if (!e.message->ParseFromArray(p, static_cast<int>(end - p)))
      throw_format_error("malformed protobuf {} (schema id {})", e.message->GetTypeName(),
                         framed.schema_id);
    reader_.append_fields(columns, *e.message, e.plans);
  }

 private:
  struct Entry {
    int32_t id;
    std::vector<int64_t> path;
    std::shared_ptr<ProtoSchema> schema;  // null when `error` is set
    std::unique_ptr<pb::Message> message;
    std::vector<Plan> plans;
    std::string error;
  };

  Entry& entry(int32_t id, const std::vector<int64_t>& path) {
    if (last_ && last_->id == id && last_->path == path) return *last_;
    Entry* found = nullptr;
    for (auto& e : entries_)
      if (e->id == id && e->path == path) found = e.get();
    if (!found) {
      auto fresh = std::make_unique<Entry>();
      fresh->id = id;
      fresh->path = path;
      try {
        fresh->schema = schema_for(id);
        const pb::Descriptor* d = fresh->schema->message_at(path);
        fresh->message = fresh->schema->make(d);
        fresh->plans = plan_fields(target_->fields(), d);
      } catch (const Error& e) {
        if (e.kind() == ErrorKind::kIo) throw;  // transient: ask again for the next message
        fresh->error = e.message();
      }
      entries_.push_back(std::move(fresh));
      found = entries_.back().get();
    }
    if (!found->error.empty())
      throw_format_error("schema id {} cannot be read: {}", id, found->error);
    last_ = found;
    return *found;
  }

  std::shared_ptr<ProtoSchema> schema_for(int32_t id) {
    for (auto& e : entries_)
      if (e->id == id && e->schema) return e->schema;
    RegisteredSchemaPtr raw = registry_->raw_by_id(id);
    return std::make_shared<ProtoSchema>(*raw, registry_.get(), fmt::format("schema_{}.proto", id));
  }

  std::shared_ptr<SchemaRegistry> registry_;
  SchemaPtr target_;
  Reader reader_;
  std::vector<std::unique_ptr<Entry>> entries_;
  Entry* last_ = nullptr;
  std::vector<int64_t> path_;
};

// ---- writing .proto source -------------------------------------------------------------------

std::string proto_identifier(const std::string& name) {
  std::string out;
  for (char c : name) out.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out.insert(0, "_");
  return out;
}

class ProtoWriter {
 public:
  /// Writes `message Name { ... }` for `fields` at `indent`.
  void message(const std::string& name, const std::vector<Field>& fields, int indent,
               std::string* out) {
    std::string pad(indent, ' ');
    *out += pad + "message " + name + " {\n";
    std::set<std::string> nested_names;
    std::string body;
    for (size_t i = 0; i < fields.size(); ++i) {
      const Field& f = fields[i];
      std::string fname = proto_identifier(f.name);
      std::string decl;
      const DataType& t = f.type;
      if (t.id() == TypeId::kList) {
        const DataType& e = t.children()[0].type;
        if (e.id() == TypeId::kList || e.id() == TypeId::kMap)
          throw_not_supported("protobuf for column '{}' of type {} (a list of lists or maps)",
                              f.name, t.to_string());
        decl = "repeated " + type_name(e, fname, indent + 2, &nested_names, out);
      } else if (t.id() == TypeId::kMap) {
        const auto& kv = t.children()[0].type.children();
        const DataType& k = kv[0].type;
        if (k.id() != TypeId::kString && k.id() != TypeId::kInt32 && k.id() != TypeId::kInt64 &&
            k.id() != TypeId::kBoolean)
          throw_not_supported("protobuf map keys of type {} (column '{}')", k.to_string(), f.name);
        if (kv[1].type.id() == TypeId::kList || kv[1].type.id() == TypeId::kMap)
          throw_not_supported("protobuf map values of type {} (column '{}')",
                              kv[1].type.to_string(), f.name);
        decl = "map<" + type_name(k, fname, indent + 2, &nested_names, out) + ", " +
               type_name(kv[1].type, fname, indent + 2, &nested_names, out) + ">";
      } else {
        std::string tn = type_name(t, fname, indent + 2, &nested_names, out);
        bool scalar = t.id() != TypeId::kStruct && t.id() != TypeId::kTimestamp;
        decl = (f.nullable && scalar ? "optional " : "") + tn;
      }
      body += fmt::format("{}  {} {} = {};\n", pad, decl, fname, i + 1);
    }
    *out += body + pad + "}\n";
  }

  bool uses_timestamp = false;

 private:
  /// The protobuf type of a non-repeated value; defines a nested message for a STRUCT (into
  /// `out`, which is inside the enclosing message).
  std::string type_name(const DataType& t, const std::string& field, int indent,
                        std::set<std::string>* nested_names, std::string* out) {
    switch (t.id()) {
      case TypeId::kBoolean:
        return "bool";
      case TypeId::kInt32:
      case TypeId::kDate:
        return "int32";
      case TypeId::kInt64:
        return "int64";
      case TypeId::kDouble:
        return "double";
      case TypeId::kBytes:
        return "bytes";
      case TypeId::kTimestamp:
        uses_timestamp = true;
        return "google.protobuf.Timestamp";
      case TypeId::kStruct: {
        std::string name = proto_identifier(field);
        name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
        name += "Message";
        while (!nested_names->insert(name).second) name += "_";
        message(name, t.children(), indent, out);
        return name;
      }
      default:
        return "string";  // STRING, DECIMAL, INTERVAL, NULL
    }
  }
};

// ---- encoding -------------------------------------------------------------------------------

class Writer {
 public:
  /// Sets field `fd` of `m` from row `row` of `col` (adds an element when `fd` is repeated and
  /// `element` is set).
  void set(pb::Message* m, const pb::FieldDescriptor* fd, const Column& col, size_t row,
           bool element = false) {
    const pb::Reflection* r = m->GetReflection();
    if (col.is_null(row)) {
      if (element)
        throw_format_error("column '{}': a NULL element cannot be written as protobuf", fd->name());
      return;  // not set: NULL for fields with presence
    }
    bool add = element;
    if (!element && fd->is_repeated()) {
      set_repeated(m, fd, col, row);
      return;
    }
    const DataType& t = col.type();
    switch (fd->cpp_type()) {
      case CppType::CPPTYPE_BOOL:
        add ? r->AddBool(m, fd, col.value<uint8_t>(row) != 0)
            : r->SetBool(m, fd, col.value<uint8_t>(row) != 0);
        return;
      case CppType::CPPTYPE_INT32:
        add ? r->AddInt32(m, fd, col.value<int32_t>(row))
            : r->SetInt32(m, fd, col.value<int32_t>(row));
        return;
      case CppType::CPPTYPE_INT64:
        add ? r->AddInt64(m, fd, col.value<int64_t>(row))
            : r->SetInt64(m, fd, col.value<int64_t>(row));
        return;
      case CppType::CPPTYPE_DOUBLE:
        add ? r->AddDouble(m, fd, col.value<double>(row))
            : r->SetDouble(m, fd, col.value<double>(row));
        return;
      case CppType::CPPTYPE_STRING: {
        std::string s =
            t.is_binary_like() ? std::string(col.string_at(row)) : col.value_at(row).to_string();
        add ? r->AddString(m, fd, std::move(s)) : r->SetString(m, fd, std::move(s));
        return;
      }
      case CppType::CPPTYPE_MESSAGE: {
        pb::Message* child = add ? r->AddMessage(m, fd) : r->MutableMessage(m, fd);
        const pb::Descriptor* d = child->GetDescriptor();
        const pb::Reflection* cr = child->GetReflection();
        if (t.id() == TypeId::kTimestamp) {
          int64_t micros = col.value<int64_t>(row);
          int64_t seconds = micros / temporal::kMicrosPerSecond;
          int64_t rest = micros % temporal::kMicrosPerSecond;
          if (rest < 0) {
            rest += temporal::kMicrosPerSecond;
            --seconds;
          }
          cr->SetInt64(child, d->FindFieldByNumber(1), seconds);
          cr->SetInt32(child, d->FindFieldByNumber(2), static_cast<int32_t>(rest * 1000));
          return;
        }
        for (int i = 0; i < d->field_count(); ++i) set(child, d->field(i), col.child(i), row);
        return;
      }
      default:
        throw_internal_error("protobuf field '{}' of unexpected type", fd->name());
    }
  }

 private:
  void set_repeated(pb::Message* m, const pb::FieldDescriptor* fd, const Column& col, size_t row) {
    const int32_t* o = col.offsets();
    const pb::Reflection* r = m->GetReflection();
    if (fd->is_map()) {
      const Column& entries = col.child(0);
      const pb::Descriptor* entry = fd->message_type();
      const pb::FieldDescriptor* kf = entry->FindFieldByNumber(1);
      const pb::FieldDescriptor* vf = entry->FindFieldByNumber(2);
      for (int32_t i = o[row]; i < o[row + 1]; ++i) {
        if (entries.child(1).is_null(i))
          throw_format_error("column '{}': a NULL map value cannot be written as protobuf",
                             fd->name());
        pb::Message* e = r->AddMessage(m, fd);
        set(e, kf, entries.child(0), i);
        set(e, vf, entries.child(1), i);
      }
      return;
    }
    for (int32_t i = o[row]; i < o[row + 1]; ++i) set(m, fd, col.child(0), i, true);
  }
};

class ProtobufEncoder : public MessageEncoder {
 public:
  ProtobufEncoder(const RegisteredSchema& schema, int32_t id)
      : schema_(schema, nullptr, "velo_sink.proto"), id_(id) {
    descriptor_ = schema_.message_at({});  // proto_from_velo writes one top-level message
    message_ = schema_.make(descriptor_);
  }

  bool encode(const Batch& batch, size_t row, std::string* out) override {
    message_->Clear();
    for (int i = 0; i < descriptor_->field_count(); ++i)
      writer_.set(message_.get(), descriptor_->field(i), *batch.columns[i], row);
    avro::append_confluent_header(id_, out);
    out->push_back('\0');  // message index [0]: the file's first message
    if (!message_->AppendToString(out)) throw_internal_error("protobuf serialization failed");
    return true;
  }

 private:
  ProtoSchema schema_;
  int32_t id_;
  const pb::Descriptor* descriptor_ = nullptr;
  std::unique_ptr<pb::Message> message_;
  Writer writer_;
};

}  // namespace

SchemaPtr protobuf_velo_schema(const RegisteredSchema& schema, SchemaRegistry* registry,
                               const std::string& message_name) {
  ProtoSchema loaded(schema, registry, "schema.proto");
  return schema_of(loaded.message_named(message_name));
}

std::unique_ptr<MessageDecoder> make_protobuf_decoder(std::shared_ptr<SchemaRegistry> registry,
                                                      SchemaPtr target) {
  return std::make_unique<ProtobufDecoder>(std::move(registry), std::move(target));
}

std::string proto_from_velo(const Schema& schema, const std::string& message_name) {
  std::string package, name = message_name;
  if (size_t dot = message_name.rfind('.'); dot != std::string::npos) {
    package = message_name.substr(0, dot);
    name = message_name.substr(dot + 1);
  }
  ProtoWriter writer;
  std::string body;
  writer.message(proto_identifier(name), schema.fields(), 0, &body);
  std::string out = "syntax = \"proto3\";\n";
  if (!package.empty()) out += "package " + package + ";\n";
  if (writer.uses_timestamp) out += "\nimport \"google/protobuf/timestamp.proto\";\n";
  return out + "\n" + body;
}

std::unique_ptr<MessageEncoder> make_protobuf_encoder(const SchemaPtr& schema,
                                                      const std::string& proto_text,
                                                      const std::string& message_name,
                                                      int32_t schema_id) {
  RegisteredSchema raw;
  raw.type = "PROTOBUF";
  raw.text = proto_text;
  return std::make_unique<ProtobufEncoder>(raw, schema_id);
}

}  // namespace velo::kafka
