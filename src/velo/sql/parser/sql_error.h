#pragma once

#include <string>
#include <string_view>

#include "velo/types/error.h"

namespace velo::sql {

/// Renders an error located in `sql` (parser or binder) for a terminal:
///
///   error: syntax error at line 2, column 8: unexpected 'FORM', expected FROM, WHERE, ...
///     SELECT a
///     FROM x FORM y
///            ^^^^
///
/// Shows the error line and the line before it, with a caret under the token (as long as the
/// token at the error offset). Errors without a location render as "error: <message>".
std::string render_sql_error(std::string_view sql, const Error& e);

}  // namespace velo::sql
