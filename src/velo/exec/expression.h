#pragma once

#include <memory>
#include <string>
#include <vector>

#include "velo/exec/function/function.h"
#include "velo/types/value.h"

namespace velo {

struct BoundExpr;
using BoundExprPtr = std::shared_ptr<const BoundExpr>;

/// A typed expression ready to evaluate over batches: column references are input indexes,
/// functions are chosen overloads. Immutable and shared between worker threads.
struct BoundExpr {
  enum class Kind {
    kColumn,     // input column `column`
    kConstant,   // `constant`
    kCall,       // scalar function `call` over args (operators and casts are calls too)
    kAnd,        // args, SQL three-valued logic
    kOr,
    kNot,        // args[0]
    kIsNull,     // args[0] IS NULL
    kIsNotNull,  // args[0] IS NOT NULL
    kCase,       // args: when0, then0, when1, then1, ..., else (always present; NULL if omitted)
    kCoalesce,   // first non-NULL of args, evaluated lazily
  };
  Kind kind = Kind::kConstant;
  DataType type;
  int column = -1;
  Value constant;
  BoundScalar call;
  std::string name;  // function name or column name, for EXPLAIN
  std::vector<BoundExprPtr> args;

  static BoundExprPtr column_ref(int index, DataType type, std::string name);
  static BoundExprPtr literal(Value v);
  static BoundExprPtr function(std::string name, BoundScalar call, std::vector<BoundExprPtr> args);
  static BoundExprPtr make(Kind kind, DataType type, std::vector<BoundExprPtr> args);

  bool is_constant() const { return kind == Kind::kConstant; }
  /// True when the value depends only on constants and deterministic functions.
  bool foldable() const;
  /// Readable form for EXPLAIN: `amount > 500`, `UPPER(name)`, `#3`.
  std::string to_string() const;
  /// Input columns referenced.
  void collect_columns(std::vector<int>* out) const;
};

/// Binds a scalar function by name to argument expressions, inserting implicit casts the chosen
/// overload asks for. Throws a user error when the function or overload does not exist.
BoundExprPtr bind_function_call(const std::string& name, std::vector<BoundExprPtr> args);
/// Wraps `e` in a cast to `to` (no-op when it already has that type).
BoundExprPtr bind_cast_expr(BoundExprPtr e, const DataType& to, bool try_cast = false);
/// Rewrites column indexes through `mapping` (old index -> new index).
BoundExprPtr remap_columns(const BoundExprPtr& e, const std::vector<int>& mapping);

}  // namespace velo
