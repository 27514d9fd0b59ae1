#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "velo/batch/column.h"

namespace velo {

/// One argument of a kernel call: a column of the batch, or a constant broadcast to every row
/// (a column of size 1). Kernels read row i at `index(i)`.
struct ArgVector {
  const Column* column = nullptr;
  bool constant = false;
  size_t index(size_t i) const { return constant ? 0 : i; }
  bool is_null(size_t i) const { return column->is_null(index(i)); }
};

/// What a kernel knows about its call besides the arguments.
struct KernelContext {
  size_t rows = 0;
  const DataType* out_type = nullptr;
  /// Bind-time state of the overload (compiled regex, constant pattern, ...); may be null.
  const void* state = nullptr;
};

/// Evaluates a scalar function over `ctx.rows` rows into `out` (an empty column of the bound
/// return type). Called once per batch: loops over rows live inside the kernel.
/// When `BoundScalar::propagates_nulls` is true the engine sets out's validity afterwards (row
/// is NULL when any argument is NULL), so the kernel may compute garbage for those rows but
/// must still write a value (or an empty string) for every row.
using ScalarKernel = void (*)(const KernelContext& ctx, const std::vector<ArgVector>& args,
                              Column* out);

/// An overload chosen for concrete argument types.
struct BoundScalar {
  DataType return_type;
  /// The types the binder must cast each argument to before calling the kernel (implicit casts).
  std::vector<DataType> arg_types;
  ScalarKernel kernel = nullptr;
  std::shared_ptr<const void> state;
  bool propagates_nulls = true;
  /// False for CURRENT_TIMESTAMP, RANDOM(): never constant-folded.
  bool deterministic = true;
  /// True for RANDOM(): a fresh value for every row even without arguments (CURRENT_TIMESTAMP
  /// is one value for the whole batch, the same instant for every row).
  bool per_row = false;
};

/// Argument description offered to bind: its type and, when the argument is a literal, its value
/// (so REGEXP_* can compile the pattern once, JSON paths can be parsed once, etc.).
struct BindArg {
  DataType type;
  const Value* constant = nullptr;
};

/// A scalar function by name. `bind` picks an overload for the argument types or throws a
/// user error that names the function and the types ("no overload of LPAD(INT64)...").
struct ScalarFunction {
  std::string name;  // upper case
  std::function<BoundScalar(const std::vector<BindArg>& args)> bind;
  std::string description;  // one line for `velo functions` / SHOW FUNCTIONS
};

/// Aggregate function state lives in memory the engine owns (an arena); each group has
/// `state_size` bytes aligned to 16. Functions with heap-owning state (sets, vectors, strings)
/// construct it in `init` with placement new and release it in `destroy`.
struct BoundAggregate {
  DataType return_type;
  std::vector<DataType> arg_types;  // implicit casts, as for scalars
  size_t state_size = 0;
  std::shared_ptr<const void> bind_state;  // e.g. percentile fraction, separator
  void (*init)(uint8_t* state, const void* bind_state) = nullptr;
  /// Adds rows [0, rows) to the states: row i goes to `states[i]`. NULL arguments are skipped by
  /// the function itself (COUNT(*) has no arguments and counts every row).
  void (*update)(uint8_t** states, const std::vector<ArgVector>& args, size_t rows,
                 const void* bind_state) = nullptr;
  /// Merges `source` into `target` (parallel partial aggregation).
  void (*combine)(uint8_t* target, const uint8_t* source, const void* bind_state) = nullptr;
  /// Appends one result per state to `out`.
  void (*finalize)(uint8_t** states, size_t n, Column* out, const void* bind_state) = nullptr;
  /// Releases heap memory of a state; null when the state is trivially destructible.
  void (*destroy)(uint8_t* state) = nullptr;
  /// Removes rows from the states (changelog retraction); null when not supported.
  void (*retract)(uint8_t** states, const std::vector<ArgVector>& args, size_t rows,
                  const void* bind_state) = nullptr;
  /// Checkpoints of states that own heap memory: writes one state / reads it into a state that
  /// init() prepared. Null for trivially copyable states (saved byte for byte); a heap-owning
  /// state without them cannot be checkpointed yet.
  void (*save)(const uint8_t* state, ByteWriter& out) = nullptr;
  void (*load)(uint8_t* state, ByteReader& in) = nullptr;
};

/// Arguments of an aggregate call as written: COUNT(*), COUNT(DISTINCT x), STRING_AGG(x, ','),
/// PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY x) arrives as args = {x} with
/// direct_args = {0.5}.
struct AggregateCall {
  std::vector<BindArg> args;
  std::vector<BindArg> direct_args;
  bool distinct = false;
  bool star = false;
};

/// One key of an ORDER BY inside an aggregate call: STRING_AGG(x, ',' ORDER BY y DESC).
struct AggregateOrderKey {
  DataType type;
  bool descending = false;
  bool nulls_first = false;
};

/// Wraps `inner` so it sees each group's rows sorted by `keys`. The wrapper takes inner's
/// arguments followed by one argument per key; it buffers the rows of each group and replays
/// them in order into `inner` when the group is finalized (STRING_AGG, ARRAY_AGG, FIRST, LAST).
BoundAggregate order_aggregate_input(BoundAggregate inner, std::vector<AggregateOrderKey> keys);

/// True for aggregates whose result depends on the order of their input.
bool aggregate_is_order_sensitive(const std::string& name);

struct AggregateFunction {
  std::string name;  // upper case
  std::function<BoundAggregate(const AggregateCall& call)> bind;
  std::string description;
};

/// The registry of functions; connectors and later issues add theirs at start-up.
class FunctionRegistry {
 public:
  /// The process-wide registry with every built-in function registered.
  static FunctionRegistry& instance();

  void add_scalar(ScalarFunction f);
  void add_aggregate(AggregateFunction f);
  /// Another name for an existing function (SUBSTR -> SUBSTRING).
  void add_alias(const std::string& alias, const std::string& target);

  /// Case-insensitive lookups; nullptr when absent.
  const ScalarFunction* find_scalar(const std::string& name) const;
  const AggregateFunction* find_aggregate(const std::string& name) const;
  /// Every function name, for "did you mean" hints and SHOW FUNCTIONS.
  std::vector<std::string> names() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
  FunctionRegistry();
};

/// Registration entry points of the built-in families (explicit, no static self-registration).
void register_arithmetic_functions(FunctionRegistry& r);
void register_comparison_functions(FunctionRegistry& r);
void register_string_functions(FunctionRegistry& r);
void register_math_functions(FunctionRegistry& r);
void register_datetime_functions(FunctionRegistry& r);
void register_json_functions(FunctionRegistry& r);
void register_conditional_functions(FunctionRegistry& r);
void register_cast_functions(FunctionRegistry& r);
void register_list_functions(FunctionRegistry& r);
void register_aggregate_functions(FunctionRegistry& r);

}  // namespace velo
