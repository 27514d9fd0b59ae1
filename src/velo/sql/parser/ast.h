#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "velo/io/options.h"
#include "velo/types/data_type.h"
#include "velo/types/value.h"

/// The syntax tree of velostream's SQL (ARCHITECTURE.md §6). Produced by the parser, consumed by
/// the binder. Every node carries the position of its first token for error carets.
namespace velo::sql {

struct SourcePos {
  int line = 0;     // 1-based
  int column = 0;   // 1-based, in characters of the statement text
  int offset = -1;  // byte offset into the SQL text
};

struct Query;
struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

enum class ExprKind {
  kLiteral,  // value (typed literals DATE '…', TIMESTAMP '…', INTERVAL '1' HOUR already folded)
  kColumnRef,   // names: {"col"}, {"t","col"}, {"_metadata","filename"},
                // {"t","_metadata","filename"}
  kStar,        // `*` or `t.*` inside a select list (names = qualifier, may be empty)
  kUnary,       // op: "-", "+", "NOT"; args[0]
  kBinary,      // op: + - * / % || = <> < <= > >= AND OR -> ->> ; args[0], args[1]
  kFunction,    // name, args, distinct, star (COUNT(*)), order_by (WITHIN GROUP / agg ORDER BY),
                // filter (FILTER (WHERE …)), over (window function).
                // PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY x): args {0.5}, order_by {x}.
                // EXTRACT(YEAR FROM x) -> args {'YEAR', x}; POSITION(a IN b) -> args {a, b};
                // SUBSTRING(x FROM a FOR b) -> {x, a, b}; TRIM(LEADING c FROM x) -> LTRIM(x, c)
                // (TRAILING -> RTRIM, BOTH -> TRIM). CURRENT_TIMESTAMP etc. without () -> no args.
                // x[i] -> ELEMENT_AT(x, i); ARRAY[a, b] -> ARRAY(a, b).
  kCase,        // args: [operand] when1 then1 when2 then2 … [else]; has_operand, has_else
  kCast,        // args[0] AS cast_type; try_cast for TRY_CAST; also `x::type`
  kIn,          // args[0] IN (args[1..]); negated
  kInSubquery,  // args[0] IN (subquery); negated
  kBetween,     // args[0] BETWEEN args[1] AND args[2]; negated
  kLike,        // args[0] LIKE args[1] [ESCAPE args[2]]; op "LIKE" or "ILIKE"; negated
  kIsNull,      // args[0] IS [NOT] NULL; negated
  kIsBool,      // args[0] IS [NOT] TRUE/FALSE: value holds the boolean; negated
  kSubquery,    // scalar subquery
  kExists,      // EXISTS (subquery); negated
  kInterval,    // INTERVAL expr unit where expr is not a literal: args[0], op = unit ("HOUR")
};

struct OrderItem;

/// OVER (PARTITION BY … ORDER BY … frame).
struct WindowSpec {
  std::vector<ExprPtr> partition_by;
  std::vector<OrderItem> order_by;
  enum class FrameUnit { kNone, kRows, kRange } frame_unit = FrameUnit::kNone;
  // Bounds: kind + offset expression for n PRECEDING / n FOLLOWING.
  enum class BoundKind {
    kUnboundedPreceding,
    kPreceding,
    kCurrentRow,
    kFollowing,
    kUnboundedFollowing
  };
  BoundKind start = BoundKind::kUnboundedPreceding;
  BoundKind end = BoundKind::kCurrentRow;
  ExprPtr start_offset;
  ExprPtr end_offset;
  /// Velostream's `ROWS WINDOW BUFFER n ROWS` form: buffer size, 0 = not used.
  int64_t buffer_rows = 0;
};

struct Expr {
  ExprKind kind = ExprKind::kLiteral;
  SourcePos pos;
  Value value;                     // kLiteral, kIsBool
  std::vector<std::string> names;  // kColumnRef, kStar (qualifier)
  std::string op;                  // kUnary, kBinary, kLike, kInterval (unit)
  std::string name;                // kFunction: as written (binder folds case)
  std::vector<ExprPtr> args;
  bool distinct = false;     // kFunction
  bool star = false;         // kFunction: COUNT(*)
  bool negated = false;      // kIn, kBetween, kLike, kIsNull, kIsBool, kExists
  bool has_operand = false;  // kCase
  bool has_else = false;     // kCase
  bool try_cast = false;     // kCast
  /// kColumnRef: a single name written in double quotes or backticks ("D"). Lets a consumer of
  /// option expressions such as delete_on = '_action = "D"' read an unresolved one as a string.
  bool quoted = false;
  DataType cast_type;                // kCast
  std::vector<OrderItem> order_by;   // kFunction: STRING_AGG(x, ',' ORDER BY y), WITHIN GROUP
  ExprPtr filter;                    // kFunction: FILTER (WHERE …)
  std::unique_ptr<WindowSpec> over;  // kFunction: window function
  std::unique_ptr<Query> subquery;   // kSubquery, kInSubquery, kExists

  /// SQL text of the expression, normalized (for default column names and EXPLAIN).
  std::string to_string() const;
};

struct OrderItem {
  ExprPtr expr;
  bool descending = false;
  std::optional<bool> nulls_first;  // unset = NULLS LAST in both directions (DuckDB)
};

enum class JoinType { kInner, kLeft, kRight, kFull, kCross };

struct TableRef {
  enum class Kind {
    kUri,       // 'kafka://…' or 'file:///…' or '/path/x.csv'
    kName,      // orders, db.orders — config data source, CTE, or default-cluster topic
    kSubquery,  // (SELECT …) alias
    kJoin,      // left JOIN right ON … / USING (…)
    kFunction,  // TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND)) and friends
  };
  Kind kind = Kind::kUri;
  SourcePos pos;
  std::string target;  // kUri: the URI text; kName: dotted name; kFunction: function name
  std::string alias;
  std::vector<std::string> column_aliases;  // alias(c1, c2)
  Options options;                          // FROM 'uri' WITH (…)
  std::unique_ptr<Query> subquery;
  // kJoin
  JoinType join_type = JoinType::kInner;
  std::unique_ptr<TableRef> left;
  std::unique_ptr<TableRef> right;
  ExprPtr on;
  std::vector<std::string> using_columns;
  // kFunction: arguments. `TABLE name` arguments appear as a kName TableRef in table_args;
  // DESCRIPTOR(col) as a kColumnRef expr with op = "DESCRIPTOR". In the plain form
  // TUMBLE(bids, DESCRIPTOR(ts), …) a bare first name (or a first `(SELECT …)`) is a table arg
  // too; all other arguments are exprs in `args`, in order.
  std::vector<std::unique_ptr<TableRef>> table_args;
  std::vector<ExprPtr> args;
  /// `name FOR SYSTEM_TIME AS OF expr` (temporal/lookup join, Flink and RisingWave Nexmark q13).
  ExprPtr system_time_as_of;
};

struct SelectItem {
  ExprPtr expr;       // kStar for `*` / `t.*`
  std::string alias;  // empty when none was written
};

/// Velostream's `WINDOW TUMBLING(ts, INTERVAL '1' MINUTE)` after GROUP BY.
struct WindowClause {
  std::string kind;  // TUMBLING, HOPPING, SLIDING, SESSION (upper case)
  std::vector<ExprPtr> args;
  SourcePos pos;
};

enum class EmitMode { kDefault, kChanges, kFinal };

struct Select {
  bool distinct = false;
  std::vector<SelectItem> items;
  std::unique_ptr<TableRef> from;  // null for SELECT 1+1
  ExprPtr where;
  std::vector<ExprPtr> group_by;
  std::optional<WindowClause> window;
  ExprPtr having;
  EmitMode emit = EmitMode::kDefault;
};

struct CommonTableExpr {
  std::string name;
  std::vector<std::string> column_aliases;
  std::unique_ptr<Query> query;
  SourcePos pos;
};

enum class SetOp { kNone, kUnionAll, kUnion, kIntersect, kExcept };

/// A query expression: WITH … then a SELECT or a set operation, then ORDER BY / LIMIT / OFFSET.
struct Query {
  std::vector<CommonTableExpr> ctes;
  std::unique_ptr<Select> select;  // set when set_op == kNone
  SetOp set_op = SetOp::kNone;
  std::unique_ptr<Query> left;
  std::unique_ptr<Query> right;
  std::vector<OrderItem> order_by;
  ExprPtr limit;
  ExprPtr offset;
  SourcePos pos;

  /// SQL text of the query, normalized (re-parses to the same tree; for EXPLAIN and tests).
  std::string to_string() const;
};

struct SinkTarget {
  std::string target;  // URI or config sink name
  bool is_name = false;
  SourcePos pos;
};

struct ColumnDef {
  std::string name;
  DataType type;  // unset (kNull) for a computed column
  bool primary_key = false;
  SourcePos pos;
  /// Flink computed column `name AS expr` (Nexmark DDL); null for a stored column.
  ExprPtr computed;
};

enum class StatementKind {
  kQuery,         // SELECT … [INTO …] [WITH (…)]
  kCreateStream,  // CREATE STREAM name AS SELECT … [EMIT …] [WITH (…)]
  kCreateTable,   // CREATE TABLE name AS SELECT …  or  CREATE TABLE name (cols) WITH (…)
  kCreateSource,  // CREATE SOURCE name (cols) WITH (…)   (declared source, used by .stest)
  kCreateSink,    // CREATE SINK name WITH (…)  or  CREATE SINK name AS SELECT … [WITH (…)]
  kExplain,       // EXPLAIN <statement>: inner in `explained`
  kSet,           // SET name = value
  kShow,          // SHOW STREAMS / SHOW TABLES / SHOW FUNCTIONS: name holds what
  kDescribe,      // DESCRIBE 'uri' | name (name_is_uri tells which)
  kCreateView,    // CREATE VIEW name AS SELECT … (Flink/Nexmark DDL)
};

struct Statement {
  StatementKind kind = StatementKind::kQuery;
  SourcePos pos;
  std::string text;        // the statement's own SQL text
  std::string annotation;  // from a preceding `-- @name: value` comment: value of @name
  std::vector<std::pair<std::string, std::string>> annotations;  // all `-- @key: value` lines
  std::unique_ptr<Query> query;
  std::vector<SinkTarget> into;
  /// Trailing WITH (…) after INTO (sink options), or CREATE … WITH (properties).
  Options options;
  SourcePos options_pos;
  std::string name;                // CREATE STREAM/TABLE/SOURCE/SINK name; SET name; SHOW what
  std::string set_value;           // SET value
  std::vector<ColumnDef> columns;  // CREATE SOURCE/TABLE name (cols)
  std::vector<std::string> primary_key;
  std::unique_ptr<Statement> explained;  // kExplain
  bool explain_analyze = false;
  bool name_is_uri = false;                 // kDescribe: name holds a quoted URI
  std::vector<std::string> partitioned_by;  // CREATE TABLE … PARTITIONED BY (cols)
  /// Flink `WATERMARK FOR col AS expr` inside CREATE TABLE (…): the column and the expression.
  std::string watermark_column;
  ExprPtr watermark;
};

}  // namespace velo::sql
