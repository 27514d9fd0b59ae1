#include <fmt/format.h>

#include <charconv>
#include <cstdlib>

#include "velo/sql/parser/parser_impl.h"
#include "velo/types/decimal.h"
#include "velo/types/error.h"
#include "velo/types/temporal.h"

namespace velo::sql {

namespace {

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

constexpr std::string_view kIntervalUnits[] = {
    "YEAR",   "YEARS",   "MONTH",       "MONTHS",       "WEEK",        "WEEKS",
    "DAY",    "DAYS",    "HOUR",        "HOURS",        "MINUTE",      "MINUTES",
    "SECOND", "SECONDS", "MILLISECOND", "MILLISECONDS", "MICROSECOND", "MICROSECONDS"};

bool is_interval_unit(const Token& t) {
  for (std::string_view u : kIntervalUnits) {
    if (t.is_word(u)) return true;
  }
  return false;
}

// Singular upper-case unit: "minutes" -> "MINUTE".
std::string normalize_unit(const std::string& word) {
  std::string u = upper(word);
  if (u.size() > 1 && u.back() == 'S') u.pop_back();
  return u;
}

bool is_numeric_literal(const Expr& e) {
  return e.kind == ExprKind::kLiteral && !e.value.is_null() && e.value.type().is_numeric();
}

}  // namespace

ExprPtr make_expr(ExprKind kind, const SourcePos& pos) {
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  e->pos = pos;
  return e;
}

ExprPtr Parser::expression() {
  DepthGuard guard(this);
  return or_expr();
}

ExprPtr Parser::or_expr() {
  ExprPtr left = and_expr();
  while (peek().is_word("OR")) {
    const Token& op = next();
    auto e = make_expr(ExprKind::kBinary, left->pos);
    (void)op;
    e->op = "OR";
    e->args.push_back(std::move(left));
    e->args.push_back(and_expr());
    left = std::move(e);
  }
  return left;
}

ExprPtr Parser::and_expr() {
  ExprPtr left = not_expr();
  while (peek().is_word("AND")) {
    next();
    auto e = make_expr(ExprKind::kBinary, left->pos);
    e->op = "AND";
    e->args.push_back(std::move(left));
    e->args.push_back(not_expr());
    left = std::move(e);
  }
  return left;
}

ExprPtr Parser::not_expr() {
  DepthGuard guard(this);
  if (peek().is_word("NOT")) {
    const Token& t = next();
    if (peek().is_word("EXISTS")) {
      ExprPtr e = primary();
      e->negated = !e->negated;
      e->pos = t.pos;
      return e;
    }
    auto e = make_expr(ExprKind::kUnary, t.pos);
    e->op = "NOT";
    e->args.push_back(not_expr());
    return e;
  }
  return comparison();
}

ExprPtr Parser::comparison() {
  ExprPtr left = concat_expr();
  while (true) {
    static constexpr std::string_view kOps[] = {"=", "==", "<>", "!=", "<", "<=", ">", ">="};
    bool is_op = false;
    for (std::string_view op : kOps) {
      if (peek().is_symbol(op)) {
        is_op = true;
        break;
      }
    }
    if (is_op) {
      std::string op = next().text;
      if (op == "==") op = "=";
      if (op == "!=") op = "<>";
      auto e = make_expr(ExprKind::kBinary, left->pos);
      e->op = op;
      e->args.push_back(std::move(left));
      e->args.push_back(concat_expr());
      left = std::move(e);
      continue;
    }
    if (peek().is_word("IS")) {
      next();
      bool negated = accept_word("NOT");
      if (accept_word("NULL")) {
        auto e = make_expr(ExprKind::kIsNull, left->pos);
        e->negated = negated;
        e->args.push_back(std::move(left));
        left = std::move(e);
      } else if (peek().is_word("TRUE") || peek().is_word("FALSE")) {
        bool value = next().is_word("TRUE");
        auto e = make_expr(ExprKind::kIsBool, left->pos);
        e->negated = negated;
        e->value = Value::boolean(value);
        e->args.push_back(std::move(left));
        left = std::move(e);
      } else {
        fail_unexpected();
      }
      continue;
    }
    bool negated = false;
    if (peek().is_word("NOT") && (peek(1).is_word("IN") || peek(1).is_word("BETWEEN") ||
                                  peek(1).is_word("LIKE") || peek(1).is_word("ILIKE"))) {
      next();
      negated = true;
    }
    if (peek().is_word("IN")) {
      next();
      expect_symbol("(");
      if (starts_query()) {
        auto e = make_expr(ExprKind::kInSubquery, left->pos);
        e->negated = negated;
        e->args.push_back(std::move(left));
        e->subquery = query();
        expect_symbol(")");
        left = std::move(e);
      } else {
        auto e = make_expr(ExprKind::kIn, left->pos);
        e->negated = negated;
        e->args.push_back(std::move(left));
        do {
          e->args.push_back(expression());
        } while (accept_symbol(","));
        expect_symbol(")");
        left = std::move(e);
      }
      continue;
    }
    if (peek().is_word("BETWEEN")) {
      next();
      accept_word("SYMMETRIC");
      auto e = make_expr(ExprKind::kBetween, left->pos);
      e->negated = negated;
      e->args.push_back(std::move(left));
      e->args.push_back(concat_expr());
      expect_word("AND");
      e->args.push_back(concat_expr());
      left = std::move(e);
      continue;
    }
    if (peek().is_word("LIKE") || peek().is_word("ILIKE")) {
      auto e = make_expr(ExprKind::kLike, left->pos);
      e->op = upper(next().text);
      e->negated = negated;
      e->args.push_back(std::move(left));
      e->args.push_back(concat_expr());
      if (accept_word("ESCAPE")) e->args.push_back(concat_expr());
      left = std::move(e);
      continue;
    }
    return left;
  }
}

ExprPtr Parser::concat_expr() {
  ExprPtr left = additive();
  while (peek().is_symbol("||")) {
    next();
    auto e = make_expr(ExprKind::kBinary, left->pos);
    e->op = "||";
    e->args.push_back(std::move(left));
    e->args.push_back(additive());
    left = std::move(e);
  }
  return left;
}

ExprPtr Parser::additive() {
  ExprPtr left = multiplicative();
  while (peek().is_symbol("+") || peek().is_symbol("-")) {
    auto e = make_expr(ExprKind::kBinary, left->pos);
    e->op = next().text;
    e->args.push_back(std::move(left));
    e->args.push_back(multiplicative());
    left = std::move(e);
  }
  return left;
}

ExprPtr Parser::multiplicative() {
  ExprPtr left = unary();
  while (peek().is_symbol("*") || peek().is_symbol("/") || peek().is_symbol("%")) {
    auto e = make_expr(ExprKind::kBinary, left->pos);
    e->op = next().text;
    e->args.push_back(std::move(left));
    e->args.push_back(unary());
    left = std::move(e);
  }
  return left;
}

ExprPtr Parser::unary() {
  // Unary chains (- - - x) and NOT chains recurse without passing through expression().
  DepthGuard guard(this);
  if (peek().is_symbol("-") || peek().is_symbol("+")) {
    const Token& t = next();
    std::string op = t.text;
    SourcePos pos = t.pos;
    bool number_next = peek().kind == TokenKind::kNumber;
    ExprPtr operand = unary();
    if (number_next && is_numeric_literal(*operand)) {
      // Fold the sign into the literal so that -5 is a constant of the binder's choosing.
      operand->pos = pos;
      if (op == "+") return operand;
      const Value& v = operand->value;
      switch (v.type().id()) {
        case TypeId::kInt32:
          operand->value = Value::int32(static_cast<int32_t>(-v.as_int()));
          break;
        case TypeId::kInt64: {
          int64_t n = -v.as_int();
          operand->value = (n >= INT32_MIN && n <= INT32_MAX)
                               ? Value::int32(static_cast<int32_t>(n))
                               : Value::int64(n);
          break;
        }
        case TypeId::kDouble:
          operand->value = Value::float64(-v.as_double());
          break;
        case TypeId::kDecimal:
          operand->value = Value::decimal(-v.as_decimal(), v.type().precision(), v.type().scale());
          break;
        default:
          break;
      }
      return operand;
    }
    auto e = make_expr(ExprKind::kUnary, pos);
    e->op = op;
    e->args.push_back(std::move(operand));
    return e;
  }
  return postfix();
}

ExprPtr Parser::postfix() {
  ExprPtr e = primary();
  while (true) {
    if (peek().is_symbol("::")) {
      next();
      auto c = make_expr(ExprKind::kCast, e->pos);
      c->cast_type = type();
      c->args.push_back(std::move(e));
      e = std::move(c);
    } else if (peek().is_symbol("->") || peek().is_symbol("->>")) {
      auto b = make_expr(ExprKind::kBinary, e->pos);
      b->op = next().text;
      b->args.push_back(std::move(e));
      b->args.push_back(primary());
      e = std::move(b);
    } else if (peek().is_symbol("[")) {
      // x[i] -> ELEMENT_AT(x, i) (1-based, as in Postgres arrays).
      next();
      auto f = make_expr(ExprKind::kFunction, e->pos);
      f->name = "ELEMENT_AT";
      f->args.push_back(std::move(e));
      f->args.push_back(expression());
      expect_symbol("]");
      e = std::move(f);
    } else {
      return e;
    }
  }
}

bool Parser::starts_query() const {
  return peek().is_word("SELECT") || peek().is_word("WITH") || peek().is_word("VALUES") ||
         (peek().is_symbol("(") && (peek(1).is_word("SELECT") || peek(1).is_word("WITH")));
}

ExprPtr Parser::number_literal(const Token& t) {
  auto e = make_expr(ExprKind::kLiteral, t.pos);
  const std::string& s = t.text;
  bool has_exp = s.find_first_of("eE") != std::string::npos;
  size_t dot = s.find('.');
  if (has_exp) {
    e->value = Value::float64(std::strtod(s.c_str(), nullptr));
    return e;
  }
  if (dot == std::string::npos) {
    int64_t n = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec == std::errc() && ptr == s.data() + s.size()) {
      e->value = (n <= INT32_MAX) ? Value::int32(static_cast<int32_t>(n)) : Value::int64(n);
      return e;
    }
  }
  // Exact decimal: DECIMAL(p,s) exactly as written (0.1 -> (1,1), 100.00 -> (5,2)).
  std::string int_part = dot == std::string::npos ? s : s.substr(0, dot);
  std::string frac = dot == std::string::npos ? "" : s.substr(dot + 1);
  size_t nz = int_part.find_first_not_of('0');
  int int_digits = nz == std::string::npos ? 0 : static_cast<int>(int_part.size() - nz);
  int scale = static_cast<int>(frac.size());
  int precision = std::max(1, int_digits + scale);
  if (precision > decimal::kMaxPrecision) {
    e->value = Value::float64(std::strtod(s.c_str(), nullptr));
    return e;
  }
  int128_t unscaled = 0;
  if (!decimal::parse(s, precision, scale, &unscaled)) fail_at(t, "invalid number '" + s + "'");
  e->value = Value::decimal(unscaled, precision, scale);
  return e;
}

ExprPtr Parser::interval_literal(const Token& start) {
  // INTERVAL '1' HOUR, INTERVAL '1 hour', INTERVAL 5 MINUTES, INTERVAL 1m, INTERVAL x HOUR.
  const Token& t = peek();
  if (t.kind == TokenKind::kString || t.kind == TokenKind::kNumber ||
      t.kind == TokenKind::kDuration) {
    Token value = next();
    std::string text = value.text;
    if (is_interval_unit(peek())) {
      text += " " + normalize_unit(next().text);
      if (peek().is_word("TO") && is_interval_unit(peek(1))) {
        fail_at(peek(), "INTERVAL … TO … is not supported; write e.g. INTERVAL '1 day 2 hours'");
      }
    } else if (value.kind == TokenKind::kNumber) {
      note_expected("interval unit");
      fail_unexpected();
    }
    Interval iv;
    if (!temporal::parse_interval(text, &iv)) {
      fail_at(value, fmt::format("invalid interval '{}'", text));
    }
    auto e = make_expr(ExprKind::kLiteral, start.pos);
    e->value = Value::interval(iv);
    return e;
  }
  auto e = make_expr(ExprKind::kInterval, start.pos);
  e->args.push_back(primary());
  if (!is_interval_unit(peek())) {
    note_expected("interval unit");
    fail_unexpected();
  }
  e->op = normalize_unit(next().text);
  return e;
}

ExprPtr Parser::case_expr(const Token& start) {
  auto e = make_expr(ExprKind::kCase, start.pos);
  if (!check_word("WHEN")) {
    e->has_operand = true;
    e->args.push_back(expression());
  }
  expect_word("WHEN");
  do {
    e->args.push_back(expression());
    expect_word("THEN");
    e->args.push_back(expression());
  } while (accept_word("WHEN"));
  if (accept_word("ELSE")) {
    e->has_else = true;
    e->args.push_back(expression());
  }
  expect_word("END");
  return e;
}

ExprPtr Parser::cast_expr(const Token& start, bool try_cast) {
  auto e = make_expr(ExprKind::kCast, start.pos);
  e->try_cast = try_cast;
  expect_symbol("(");
  e->args.push_back(expression());
  expect_word("AS");
  e->cast_type = type();
  expect_symbol(")");
  return e;
}

ExprPtr Parser::special_function(const Token& start) {
  // Called with the '(' already consumed; start is the function name token.
  std::string name = upper(start.text);
  auto e = make_expr(ExprKind::kFunction, start.pos);
  if (name == "EXTRACT") {
    e->name = start.text;
    const Token& field = next();
    if (field.kind != TokenKind::kWord && field.kind != TokenKind::kString) {
      fail_at(field, fmt::format("unexpected '{}', expected a date part such as YEAR", field.text));
    }
    auto lit = make_expr(ExprKind::kLiteral, field.pos);
    lit->value = Value::string(upper(field.text));
    e->args.push_back(std::move(lit));
    if (!accept_symbol(",")) expect_word("FROM");
    e->args.push_back(expression());
    expect_symbol(")");
    return e;
  }
  if (name == "POSITION") {
    e->name = start.text;
    e->args.push_back(concat_expr());
    if (accept_word("IN")) {
      e->args.push_back(expression());
    } else {
      while (accept_symbol(",")) e->args.push_back(expression());
    }
    expect_symbol(")");
    return e;
  }
  if (name == "SUBSTRING" || name == "SUBSTR") {
    e->name = start.text;
    e->args.push_back(expression());
    if (accept_word("FROM")) {
      e->args.push_back(expression());
      if (accept_word("FOR")) e->args.push_back(expression());
    } else if (accept_word("FOR")) {
      // SUBSTRING(x FOR n) starts at 1.
      auto one = make_expr(ExprKind::kLiteral, peek().pos);
      one->value = Value::int32(1);
      e->args.push_back(std::move(one));
      e->args.push_back(expression());
    } else {
      while (accept_symbol(",")) e->args.push_back(expression());
    }
    expect_symbol(")");
    return e;
  }
  // TRIM
  std::string fn = "TRIM";
  bool mode = false;
  if (check_word("LEADING") || check_word("TRAILING") || check_word("BOTH")) {
    std::string m = upper(next().text);
    fn = m == "LEADING" ? "LTRIM" : m == "TRAILING" ? "RTRIM" : "TRIM";
    mode = true;
  }
  e->name = fn == "TRIM" ? start.text : fn;
  if (mode && accept_word("FROM")) {
    e->args.push_back(expression());
    expect_symbol(")");
    return e;
  }
  ExprPtr first = expression();
  if (accept_word("FROM")) {
    e->args.push_back(expression());
    e->args.push_back(std::move(first));
  } else {
    if (mode) expect_word("FROM");
    e->args.push_back(std::move(first));
    while (accept_symbol(",")) e->args.push_back(expression());
  }
  expect_symbol(")");
  return e;
}

ExprPtr Parser::function_call(const Token& start, std::string name) {
  // The '(' is already consumed.
  auto e = make_expr(ExprKind::kFunction, start.pos);
  e->name = std::move(name);
  if (accept_symbol("*")) {
    e->star = true;
    expect_symbol(")");
  } else if (!accept_symbol(")")) {
    if (accept_word("DISTINCT")) {
      e->distinct = true;
    } else {
      accept_word("ALL");
    }
    do {
      e->args.push_back(expression());
    } while (accept_symbol(","));
    if (check_word("ORDER")) {
      next();
      expect_word("BY");
      e->order_by = order_list();
    }
    expect_symbol(")");
  }
  if (peek().is_word("WITHIN") && peek(1).is_word("GROUP")) {
    next();
    next();
    expect_symbol("(");
    expect_word("ORDER");
    expect_word("BY");
    e->order_by = order_list();
    expect_symbol(")");
  }
  if (peek().is_word("FILTER") && peek(1).is_symbol("(")) {
    next();
    next();
    expect_word("WHERE");
    e->filter = expression();
    expect_symbol(")");
  }
  if (check_word("OVER")) {
    next();
    e->over = window_spec();
  }
  return e;
}

std::unique_ptr<WindowSpec> Parser::window_spec() {
  auto w = std::make_unique<WindowSpec>();
  expect_symbol("(");
  while (!accept_symbol(")")) {
    if (check_word("PARTITION")) {
      next();
      expect_word("BY");
      do {
        w->partition_by.push_back(expression());
      } while (accept_symbol(","));
    } else if (check_word("ORDER")) {
      next();
      expect_word("BY");
      w->order_by = order_list();
    } else if (check_word("ROWS") || check_word("RANGE")) {
      bool rows = next().is_word("ROWS");
      if (rows && accept_word("WINDOW")) {
        // Velostream: ROWS WINDOW BUFFER n ROWS
        expect_word("BUFFER");
        const Token& n = peek();
        if (n.kind != TokenKind::kNumber) {
          note_expected("row count");
          fail_unexpected();
        }
        next();
        w->buffer_rows = std::strtoll(n.text.c_str(), nullptr, 10);
        expect_word("ROWS");
        continue;
      }
      w->frame_unit = rows ? WindowSpec::FrameUnit::kRows : WindowSpec::FrameUnit::kRange;
      if (accept_word("BETWEEN")) {
        frame_bound(&w->start, &w->start_offset);
        expect_word("AND");
        frame_bound(&w->end, &w->end_offset);
      } else {
        frame_bound(&w->start, &w->start_offset);
        w->end = WindowSpec::BoundKind::kCurrentRow;
      }
    } else {
      note_expected("PARTITION");
      note_expected("ORDER");
      note_expected("ROWS");
      note_expected("RANGE");
      note_expected("')'");
      fail_unexpected();
    }
  }
  return w;
}

void Parser::frame_bound(WindowSpec::BoundKind* kind, ExprPtr* offset) {
  if (accept_word("UNBOUNDED")) {
    if (accept_word("PRECEDING")) {
      *kind = WindowSpec::BoundKind::kUnboundedPreceding;
    } else {
      expect_word("FOLLOWING");
      *kind = WindowSpec::BoundKind::kUnboundedFollowing;
    }
    return;
  }
  if (accept_word("CURRENT")) {
    expect_word("ROW");
    *kind = WindowSpec::BoundKind::kCurrentRow;
    return;
  }
  *offset = additive();
  if (accept_word("PRECEDING")) {
    *kind = WindowSpec::BoundKind::kPreceding;
  } else {
    expect_word("FOLLOWING");
    *kind = WindowSpec::BoundKind::kFollowing;
  }
}

ExprPtr Parser::primary() {
  const Token& t = peek();
  switch (t.kind) {
    case TokenKind::kNumber:
      return number_literal(next());
    case TokenKind::kDuration: {
      const Token& d = next();
      Interval iv;
      if (!temporal::parse_interval(d.text, &iv)) fail_at(d, "invalid duration '" + d.text + "'");
      auto e = make_expr(ExprKind::kLiteral, d.pos);
      e->value = Value::interval(iv);
      return e;
    }
    case TokenKind::kString: {
      const Token& s = next();
      auto e = make_expr(ExprKind::kLiteral, s.pos);
      e->value = Value::string(s.text);
      return e;
    }
    case TokenKind::kBytes: {
      const Token& s = next();
      auto e = make_expr(ExprKind::kLiteral, s.pos);
      e->value = Value::bytes(s.text);
      return e;
    }
    case TokenKind::kSymbol:
      if (t.is_symbol("(")) {
        const Token& open = next();
        // Only SELECT/WITH right after '(' makes a subquery: ((SELECT 1) + 1) is arithmetic.
        if (peek().is_word("SELECT") || peek().is_word("WITH")) {
          auto e = make_expr(ExprKind::kSubquery, open.pos);
          e->subquery = query();
          expect_symbol(")");
          return e;
        }
        ExprPtr inner = expression();
        expect_symbol(")");
        return inner;
      }
      note_expected("expression");
      fail_unexpected();
    case TokenKind::kEnd:
      note_expected("expression");
      fail_unexpected();
    case TokenKind::kQuotedIdent:
    case TokenKind::kWord:
      break;
  }
  if (t.kind == TokenKind::kWord) {
    const Token& n1 = peek(1);
    if (t.is_word("TRUE") || t.is_word("FALSE")) {
      const Token& b = next();
      auto e = make_expr(ExprKind::kLiteral, b.pos);
      e->value = Value::boolean(b.is_word("TRUE"));
      return e;
    }
    if (t.is_word("NULL")) {
      auto e = make_expr(ExprKind::kLiteral, next().pos);
      return e;
    }
    if (t.is_word("CASE")) return case_expr(next());
    if ((t.is_word("CAST") || t.is_word("TRY_CAST") || t.is_word("SAFE_CAST")) &&
        n1.is_symbol("(")) {
      const Token& c = next();
      return cast_expr(c, !c.is_word("CAST"));
    }
    if (t.is_word("EXISTS") && n1.is_symbol("(")) {
      auto e = make_expr(ExprKind::kExists, next().pos);
      expect_symbol("(");
      e->subquery = query();
      expect_symbol(")");
      return e;
    }
    if (t.is_word("INTERVAL") && (n1.kind == TokenKind::kString || n1.kind == TokenKind::kNumber ||
                                  n1.kind == TokenKind::kDuration || n1.is_symbol("("))) {
      return interval_literal(next());
    }
    if ((t.is_word("DATE") || t.is_word("TIMESTAMP") || t.is_word("TIMESTAMPTZ")) &&
        n1.kind == TokenKind::kString) {
      const Token& kw = next();
      const Token& s = next();
      auto e = make_expr(ExprKind::kLiteral, kw.pos);
      if (kw.is_word("DATE")) {
        int32_t days = 0;
        if (!temporal::parse_date(s.text, &days)) fail_at(s, "invalid date '" + s.text + "'");
        e->value = Value::date(days);
      } else {
        int64_t micros = 0;
        if (!temporal::parse_timestamp(s.text, &micros)) {
          fail_at(s, "invalid timestamp '" + s.text + "'");
        }
        e->value = Value::timestamp(micros);
      }
      return e;
    }
    if (!n1.is_symbol("(") &&
        (t.is_word("CURRENT_TIMESTAMP") || t.is_word("CURRENT_DATE") || t.is_word("CURRENT_TIME") ||
         t.is_word("LOCALTIMESTAMP") || t.is_word("LOCALTIME"))) {
      const Token& f = next();
      auto e = make_expr(ExprKind::kFunction, f.pos);
      e->name = f.text;
      return e;
    }
    if (t.is_word("ARRAY") && n1.is_symbol("[")) {
      // ARRAY[a, b] -> ARRAY(a, b)
      const Token& f = next();
      next();
      auto e = make_expr(ExprKind::kFunction, f.pos);
      e->name = "ARRAY";
      if (!accept_symbol("]")) {
        do {
          e->args.push_back(expression());
        } while (accept_symbol(","));
        expect_symbol("]");
      }
      return e;
    }
    if (n1.is_symbol("(")) {
      const Token& f = next();
      next();  // (
      if (f.is_word("EXTRACT") || f.is_word("POSITION") || f.is_word("SUBSTRING") ||
          f.is_word("SUBSTR") || f.is_word("TRIM")) {
        ExprPtr e = special_function(f);
        if (check_word("OVER")) {
          next();
          e->over = window_spec();
        }
        return e;
      }
      return function_call(f, f.text);
    }
  }
  // Column reference: a, t.a, t._metadata.filename, t.* (only in a select list).
  if (!is_identifier_token(t)) {
    note_expected("expression");
    fail_unexpected();
  }
  auto e = make_expr(ExprKind::kColumnRef, t.pos);
  e->quoted = t.kind == TokenKind::kQuotedIdent;
  e->names.push_back(next().text);
  while (peek().is_symbol(".")) {
    if (peek(1).is_symbol("*")) {
      next();
      next();
      e->kind = ExprKind::kStar;
      return e;
    }
    next();
    if (peek().kind != TokenKind::kWord && peek().kind != TokenKind::kQuotedIdent) {
      note_expected("column name");
      fail_unexpected();
    }
    e->names.push_back(next().text);
    e->quoted = false;
  }
  return e;
}

}  // namespace velo::sql
