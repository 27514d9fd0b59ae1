#include "velo/exec/expression.h"

#include "velo/exec/evaluator.h"
#include "velo/exec/function/cast.h"
#include "velo/io/options.h"
#include "velo/types/error.h"

namespace velo {

BoundExprPtr BoundExpr::column_ref(int index, DataType type, std::string name) {
  auto e = std::make_shared<BoundExpr>();
  e->kind = Kind::kColumn;
  e->column = index;
  e->type = std::move(type);
  e->name = std::move(name);
  return e;
}

BoundExprPtr BoundExpr::literal(Value v) {
  auto e = std::make_shared<BoundExpr>();
  e->kind = Kind::kConstant;
  e->type = v.type();
  e->constant = std::move(v);
  return e;
}

BoundExprPtr BoundExpr::function(std::string name, BoundScalar call, std::vector<BoundExprPtr> args) {
  auto e = std::make_shared<BoundExpr>();
  e->kind = Kind::kCall;
  e->type = call.return_type;
  e->call = std::move(call);
  e->name = std::move(name);
  e->args = std::move(args);
  return e;
}

BoundExprPtr BoundExpr::make(Kind kind, DataType type, std::vector<BoundExprPtr> args) {
  auto e = std::make_shared<BoundExpr>();
  e->kind = kind;
  e->type = std::move(type);
  e->args = std::move(args);
  return e;
}

bool BoundExpr::foldable() const {
  switch (kind) {
    case Kind::kColumn: return false;
    case Kind::kConstant: return true;
    case Kind::kCall:
      if (!call.deterministic) return false;
      break;
    default: break;
  }
  for (const auto& a : args)
    if (!a->foldable()) return false;
  return true;
}

namespace {
bool is_operator(const std::string& name) {
  return !name.empty() && !std::isalpha(static_cast<unsigned char>(name[0]));
}
std::string literal_text(const Value& v) {
  if (v.is_null()) return "NULL";
  switch (v.type().id()) {
    case TypeId::kString: return "'" + v.to_string() + "'";
    case TypeId::kDate: return "DATE '" + v.to_string() + "'";
    case TypeId::kTimestamp: return "TIMESTAMP '" + v.to_string() + "'";
    case TypeId::kInterval: return "INTERVAL '" + v.to_string() + "'";
    default: return v.to_string();
  }
}
}  // namespace

std::string BoundExpr::to_string() const {
  switch (kind) {
    case Kind::kColumn: return name.empty() ? "#" + std::to_string(column) : name;
    case Kind::kConstant: return literal_text(constant);
    case Kind::kCall: {
      if (name == "CAST") return "CAST(" + args[0]->to_string() + " AS " + type.to_string() + ")";
      // Struct field access carries its own `s.field` label.
      if (args.size() == 1 && name.rfind(args[0]->to_string() + ".", 0) == 0) return name;
      if (is_operator(name) && args.size() == 2)
        return "(" + args[0]->to_string() + " " + name + " " + args[1]->to_string() + ")";
      std::string s = name + "(";
      for (size_t i = 0; i < args.size(); ++i) s += (i ? ", " : "") + args[i]->to_string();
      return s + ")";
    }
    case Kind::kAnd:
    case Kind::kOr: {
      std::string s = "(";
      for (size_t i = 0; i < args.size(); ++i)
        s += (i ? (kind == Kind::kAnd ? " AND " : " OR ") : "") + args[i]->to_string();
      return s + ")";
    }
    case Kind::kNot: return "NOT " + args[0]->to_string();
    case Kind::kIsNull: return args[0]->to_string() + " IS NULL";
    case Kind::kIsNotNull: return args[0]->to_string() + " IS NOT NULL";
    case Kind::kCase: {
      std::string s = "CASE";
      for (size_t i = 0; i + 1 < args.size(); i += 2)
        s += " WHEN " + args[i]->to_string() + " THEN " + args[i + 1]->to_string();
      return s + " ELSE " + args.back()->to_string() + " END";
    }
    case Kind::kCoalesce: {
      std::string s = "COALESCE(";
      for (size_t i = 0; i < args.size(); ++i) s += (i ? ", " : "") + args[i]->to_string();
      return s + ")";
    }
  }
  return "?";
}

void BoundExpr::collect_columns(std::vector<int>* out) const {
  if (kind == Kind::kColumn) out->push_back(column);
  for (const auto& a : args) a->collect_columns(out);
}

BoundExprPtr bind_cast_expr(BoundExprPtr e, const DataType& to, bool try_cast) {
  if (e->type == to) return e;
  if (e->kind == BoundExpr::Kind::kConstant && e->constant.is_null()) return BoundExpr::literal(Value::null(to));
  BoundScalar cast = bind_cast(e->type, to, try_cast);
  bool constant = e->is_constant();
  BoundExprPtr call = BoundExpr::function("CAST", std::move(cast), {std::move(e)});
  // Casts of literals fold right away, so `amount > 500` compares with a DECIMAL constant and
  // can be pushed into scans as a predicate.
  if (constant) {
    Value v = Evaluator::evaluate_constant(*call);
    return BoundExpr::literal(v.is_null() ? Value::null(to) : std::move(v));
  }
  return call;
}

BoundExprPtr bind_function_call(const std::string& name, std::vector<BoundExprPtr> args) {
  const ScalarFunction* f = FunctionRegistry::instance().find_scalar(name);
  if (!f) {
    std::string hint = nearest_name(name, FunctionRegistry::instance().names());
    throw_user_error("function {}() does not exist{}", name,
                     hint.empty() ? "" : " (did you mean " + hint + "()?)");
  }
  std::vector<BindArg> bind_args;
  for (const auto& a : args) bind_args.push_back(BindArg{a->type, a->is_constant() ? &a->constant : nullptr});
  BoundScalar bound = f->bind(bind_args);
  for (size_t i = 0; i < args.size() && i < bound.arg_types.size(); ++i)
    if (bound.arg_types[i].id() != TypeId::kNull) args[i] = bind_cast_expr(args[i], bound.arg_types[i]);
  return BoundExpr::function(f->name, std::move(bound), std::move(args));
}

BoundExprPtr remap_columns(const BoundExprPtr& e, const std::vector<int>& mapping) {
  if (e->kind == BoundExpr::Kind::kColumn) {
    int to = mapping.at(e->column);
    VELO_CHECK(to >= 0);
    if (to == e->column) return e;
    return BoundExpr::column_ref(to, e->type, e->name);
  }
  if (e->args.empty()) return e;
  auto copy = std::make_shared<BoundExpr>(*e);
  for (auto& a : copy->args) a = remap_columns(a, mapping);
  return copy;
}

}  // namespace velo
