#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "velo/sql/parser/ast.h"
#include "velo/types/data_type.h"

/// The SQL parser (ARCHITECTURE.md §6): text -> AST of ast.h. Errors are velo::Error (kUser)
/// whose message reads "syntax error at line L, column C: unexpected 'X', expected …" and whose
/// ErrorLocation holds the position (render with sql_error.h). All positions (SourcePos in the AST,
/// ErrorLocation) are relative to the whole text given to the parse function, so a binder error
/// on the third statement of a script renders against the script.
namespace velo::sql {

/// Parses a script of statements separated by ';' (a trailing ';' optional). Collects
/// `-- @key: value` comment annotations preceding each statement into Statement::annotations
/// (and `-- @name: x` into Statement::annotation = "x"). Statement::text = its own source text.
std::vector<std::unique_ptr<Statement>> parse_script(std::string_view sql);

/// Exactly one statement (a trailing ';' is allowed).
std::unique_ptr<Statement> parse_statement(std::string_view sql);

/// Parses a standalone expression (used for options such as delete_on = '_action = "D"').
ExprPtr parse_expression(std::string_view sql);

/// Parses a type name: INT, INTEGER, BIGINT, SMALLINT, TINYINT, DOUBLE, FLOAT, REAL, DECIMAL(p,s),
/// NUMERIC(p,s), VARCHAR(n), CHAR(n), STRING, TEXT, BOOLEAN/BOOL, DATE, TIMESTAMP,
/// TIMESTAMP WITH TIME ZONE/TIMESTAMPTZ, INTERVAL, BYTES/BLOB/VARBINARY/BYTEA, ARRAY<T>, T[],
/// LIST<T>, MAP<K,V>, STRUCT<a T, ...>, ROW(a T, ...). INT/INTEGER/SMALLINT/TINYINT -> INT32,
/// BIGINT -> INT64, FLOAT/REAL/DOUBLE -> DOUBLE, DECIMAL without args -> DECIMAL(18,3).
DataType parse_type(std::string_view sql);

}  // namespace velo::sql
