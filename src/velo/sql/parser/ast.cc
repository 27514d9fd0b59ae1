#include "velo/sql/parser/ast.h"

#include <fmt/format.h>

#include <cctype>

#include "velo/types/decimal.h"
#include "velo/types/temporal.h"

namespace velo::sql {

namespace {

std::string query_to_string(const Query& q);

// Binding strength of each printed form, mirroring the parser's precedence climb.
constexpr int kPrecOr = 1;
constexpr int kPrecAnd = 2;
constexpr int kPrecNot = 3;
constexpr int kPrecCompare = 4;
constexpr int kPrecConcat = 5;
constexpr int kPrecAdd = 6;
constexpr int kPrecMul = 7;
constexpr int kPrecUnary = 8;
constexpr int kPrecPostfix = 9;
constexpr int kPrecPrimary = 10;

int binary_precedence(const std::string& op) {
  if (op == "OR") return kPrecOr;
  if (op == "AND") return kPrecAnd;
  if (op == "||") return kPrecConcat;
  if (op == "+" || op == "-") return kPrecAdd;
  if (op == "*" || op == "/" || op == "%") return kPrecMul;
  if (op == "->" || op == "->>") return kPrecPostfix;
  return kPrecCompare;
}

int precedence(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kBinary:
      return binary_precedence(e.op);
    case ExprKind::kUnary:
      return e.op == "NOT" ? kPrecNot : kPrecUnary;
    case ExprKind::kIn:
    case ExprKind::kInSubquery:
    case ExprKind::kBetween:
    case ExprKind::kLike:
    case ExprKind::kIsNull:
    case ExprKind::kIsBool:
      return kPrecCompare;
    case ExprKind::kExists:
      return e.negated ? kPrecNot : kPrecPrimary;
    case ExprKind::kLiteral:
      // A negative number prints with a leading '-', which binds like unary minus.
      if (!e.value.is_null() && e.value.type().is_numeric()) {
        const Value& v = e.value;
        bool negative = false;
        switch (v.type().id()) {
          case TypeId::kInt32:
          case TypeId::kInt64:
            negative = v.as_int() < 0;
            break;
          case TypeId::kDouble:
            negative = v.as_double() < 0;
            break;
          case TypeId::kDecimal:
            negative = v.as_decimal() < 0;
            break;
          default:
            break;
        }
        if (negative) return kPrecUnary;
      }
      return kPrecPrimary;
    default:
      return kPrecPrimary;
  }
}

std::string wrap(const Expr& e, int min_prec) {
  std::string s = e.to_string();
  if (precedence(e) < min_prec) return "(" + s + ")";
  return s;
}

bool is_plain_identifier(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

std::string quote_identifier(const std::string& s) {
  if (is_plain_identifier(s)) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string quote_string(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string literal_to_string(const Value& v) {
  if (v.is_null()) return "NULL";
  switch (v.type().id()) {
    case TypeId::kBoolean:
      return v.as_bool() ? "TRUE" : "FALSE";
    case TypeId::kInt32:
    case TypeId::kInt64:
      return fmt::format("{}", v.as_int());
    case TypeId::kDouble: {
      std::string s = fmt::format("{}", v.as_double());
      // An exponent keeps the literal a DOUBLE when parsed again (1.5 alone would be DECIMAL).
      if (s.find_first_of("eE") == std::string::npos && s.find_first_of("ni") == std::string::npos)
        s += "e0";
      return s;
    }
    case TypeId::kDecimal:
      return decimal::to_string(v.as_decimal(), v.type().scale());
    case TypeId::kString:
      return quote_string(v.as_string());
    case TypeId::kBytes: {
      std::string out = "X'";
      for (unsigned char c : v.as_string()) out += fmt::format("{:02X}", c);
      return out + "'";
    }
    case TypeId::kDate:
      return "DATE " + quote_string(temporal::format_date(static_cast<int32_t>(v.as_int())));
    case TypeId::kTimestamp:
      return "TIMESTAMP " + quote_string(temporal::format_timestamp(v.as_int()));
    case TypeId::kInterval:
      return "INTERVAL " + quote_string(temporal::format_interval(v.as_interval()));
    default:
      return v.to_string();
  }
}

std::string join_names(const std::vector<std::string>& names) {
  std::string s;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) s += '.';
    s += quote_identifier(names[i]);
  }
  return s;
}

std::string order_to_string(const std::vector<OrderItem>& items) {
  std::string s;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) s += ", ";
    s += items[i].expr->to_string();
    if (items[i].descending) s += " DESC";
    if (items[i].nulls_first.has_value())
      s += *items[i].nulls_first ? " NULLS FIRST" : " NULLS LAST";
  }
  return s;
}

std::string bound_to_string(WindowSpec::BoundKind kind, const ExprPtr& offset) {
  switch (kind) {
    case WindowSpec::BoundKind::kUnboundedPreceding:
      return "UNBOUNDED PRECEDING";
    case WindowSpec::BoundKind::kPreceding:
      return wrap(*offset, kPrecAdd) + " PRECEDING";
    case WindowSpec::BoundKind::kCurrentRow:
      return "CURRENT ROW";
    case WindowSpec::BoundKind::kFollowing:
      return wrap(*offset, kPrecAdd) + " FOLLOWING";
    case WindowSpec::BoundKind::kUnboundedFollowing:
      return "UNBOUNDED FOLLOWING";
  }
  return "";
}

std::string window_to_string(const WindowSpec& w) {
  std::vector<std::string> parts;
  if (w.buffer_rows > 0) parts.push_back(fmt::format("ROWS WINDOW BUFFER {} ROWS", w.buffer_rows));
  if (!w.partition_by.empty()) {
    std::string s = "PARTITION BY ";
    for (size_t i = 0; i < w.partition_by.size(); ++i) {
      if (i > 0) s += ", ";
      s += w.partition_by[i]->to_string();
    }
    parts.push_back(std::move(s));
  }
  if (!w.order_by.empty()) parts.push_back("ORDER BY " + order_to_string(w.order_by));
  if (w.frame_unit != WindowSpec::FrameUnit::kNone) {
    parts.push_back(fmt::format(
        "{} BETWEEN {} AND {}", w.frame_unit == WindowSpec::FrameUnit::kRows ? "ROWS" : "RANGE",
        bound_to_string(w.start, w.start_offset), bound_to_string(w.end, w.end_offset)));
  }
  std::string s = "(";
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) s += ' ';
    s += parts[i];
  }
  return s + ")";
}

std::string expr_list(const std::vector<ExprPtr>& list) {
  std::string s;
  for (size_t i = 0; i < list.size(); ++i) {
    if (i > 0) s += ", ";
    s += list[i]->to_string();
  }
  return s;
}

std::string options_to_string(const Options& o) {
  std::string s = "(";
  bool first = true;
  for (const auto& [k, v] : o.all()) {
    if (!first) s += ", ";
    first = false;
    s += quote_string(k) + " = " + quote_string(v);
  }
  return s + ")";
}

std::string table_to_string(const TableRef& t) {
  std::string s;
  switch (t.kind) {
    case TableRef::Kind::kUri:
      s = quote_string(t.target);
      break;
    case TableRef::Kind::kName:
      s = t.target;
      break;
    case TableRef::Kind::kSubquery:
      s = "(" + query_to_string(*t.subquery) + ")";
      break;
    case TableRef::Kind::kJoin: {
      static constexpr const char* kJoins[] = {" JOIN ", " LEFT JOIN ", " RIGHT JOIN ",
                                               " FULL JOIN ", " CROSS JOIN "};
      s = table_to_string(*t.left) + kJoins[static_cast<int>(t.join_type)] +
          table_to_string(*t.right);
      if (t.on) s += " ON " + t.on->to_string();
      if (!t.using_columns.empty()) {
        std::string cols;
        for (size_t i = 0; i < t.using_columns.size(); ++i) {
          if (i > 0) cols += ", ";
          cols += quote_identifier(t.using_columns[i]);
        }
        s += " USING (" + cols + ")";
      }
      return s;
    }
    case TableRef::Kind::kFunction: {
      s = "TABLE(" + t.target + "(";
      bool first = true;
      for (const auto& a : t.table_args) {
        if (!first) s += ", ";
        first = false;
        s += a->kind == TableRef::Kind::kName ? "TABLE " + a->target : table_to_string(*a);
      }
      for (const auto& a : t.args) {
        if (!first) s += ", ";
        first = false;
        s += a->to_string();
      }
      s += "))";
      break;
    }
  }
  if (t.system_time_as_of) s += " FOR SYSTEM_TIME AS OF " + t.system_time_as_of->to_string();
  if (!t.alias.empty()) s += " AS " + quote_identifier(t.alias);
  if (!t.column_aliases.empty()) {
    s += " (";
    for (size_t i = 0; i < t.column_aliases.size(); ++i) {
      if (i > 0) s += ", ";
      s += quote_identifier(t.column_aliases[i]);
    }
    s += ")";
  }
  if (!t.options.empty()) s += " WITH " + options_to_string(t.options);
  return s;
}

std::string select_to_string(const Select& sel) {
  std::string s = sel.distinct ? "SELECT DISTINCT " : "SELECT ";
  for (size_t i = 0; i < sel.items.size(); ++i) {
    if (i > 0) s += ", ";
    s += sel.items[i].expr->to_string();
    if (!sel.items[i].alias.empty()) s += " AS " + quote_identifier(sel.items[i].alias);
  }
  if (sel.from) s += " FROM " + table_to_string(*sel.from);
  if (sel.where) s += " WHERE " + sel.where->to_string();
  if (!sel.group_by.empty()) s += " GROUP BY " + expr_list(sel.group_by);
  if (sel.window) s += " WINDOW " + sel.window->kind + "(" + expr_list(sel.window->args) + ")";
  if (sel.having) s += " HAVING " + sel.having->to_string();
  if (sel.emit == EmitMode::kChanges) s += " EMIT CHANGES";
  if (sel.emit == EmitMode::kFinal) s += " EMIT FINAL";
  return s;
}

std::string query_to_string(const Query& q) {
  std::string s;
  if (!q.ctes.empty()) {
    s = "WITH ";
    for (size_t i = 0; i < q.ctes.size(); ++i) {
      if (i > 0) s += ", ";
      s += quote_identifier(q.ctes[i].name);
      if (!q.ctes[i].column_aliases.empty()) {
        s += " (";
        for (size_t j = 0; j < q.ctes[i].column_aliases.size(); ++j) {
          if (j > 0) s += ", ";
          s += quote_identifier(q.ctes[i].column_aliases[j]);
        }
        s += ")";
      }
      s += " AS (" + query_to_string(*q.ctes[i].query) + ")";
    }
    s += " ";
  }
  if (q.set_op == SetOp::kNone) {
    s += select_to_string(*q.select);
  } else {
    static constexpr const char* kOps[] = {"", " UNION ALL ", " UNION ", " INTERSECT ", " EXCEPT "};
    auto operand = [](const Query& side) {
      bool plain = side.ctes.empty() && side.order_by.empty() && !side.limit && !side.offset;
      std::string text = query_to_string(side);
      return plain ? text : "(" + text + ")";
    };
    s +=
        operand(*q.left) + kOps[static_cast<int>(q.set_op)] + "(" + query_to_string(*q.right) + ")";
  }
  if (!q.order_by.empty()) s += " ORDER BY " + order_to_string(q.order_by);
  if (q.limit) s += " LIMIT " + q.limit->to_string();
  if (q.offset) s += " OFFSET " + q.offset->to_string();
  return s;
}

bool is_niladic(const std::string& name) {
  static constexpr std::string_view kNames[] = {"CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME",
                                                "LOCALTIMESTAMP", "LOCALTIME"};
  for (std::string_view n : kNames) {
    if (iequals(name, n)) return true;
  }
  return false;
}

bool is_ordered_set_aggregate(const std::string& name) {
  return iequals(name, "PERCENTILE_CONT") || iequals(name, "PERCENTILE_DISC") ||
         iequals(name, "MODE");
}

std::string function_to_string(const Expr& e) {
  if (e.args.empty() && !e.star && is_niladic(e.name) && !e.over) return e.name;
  std::string s = e.name + "(";
  if (iequals(e.name, "EXTRACT") && e.args.size() == 2 && e.args[0]->kind == ExprKind::kLiteral &&
      !e.args[0]->value.is_null() && e.args[0]->value.type().id() == TypeId::kString) {
    s += e.args[0]->value.as_string() + " FROM " + e.args[1]->to_string();
  } else if (e.star) {
    s += "*";
  } else {
    if (e.distinct) s += "DISTINCT ";
    for (size_t i = 0; i < e.args.size(); ++i) {
      if (i > 0) s += ", ";
      s += e.args[i]->to_string();
    }
  }
  bool within_group = is_ordered_set_aggregate(e.name);
  if (!e.order_by.empty() && !within_group) s += " ORDER BY " + order_to_string(e.order_by);
  s += ")";
  if (!e.order_by.empty() && within_group) {
    s += " WITHIN GROUP (ORDER BY " + order_to_string(e.order_by) + ")";
  }
  if (e.filter) s += " FILTER (WHERE " + e.filter->to_string() + ")";
  if (e.over) s += " OVER " + window_to_string(*e.over);
  return s;
}

}  // namespace

std::string Query::to_string() const { return query_to_string(*this); }

std::string Expr::to_string() const {
  switch (kind) {
    case ExprKind::kLiteral:
      return literal_to_string(value);
    case ExprKind::kColumnRef:
      if (op == "DESCRIPTOR") return "DESCRIPTOR(" + join_names(names) + ")";
      return join_names(names);
    case ExprKind::kStar:
      return names.empty() ? "*" : join_names(names) + ".*";
    case ExprKind::kUnary: {
      if (op == "NOT") return "NOT " + wrap(*args[0], kPrecNot);
      std::string operand = wrap(*args[0], kPrecUnary);
      // "--x" would start a comment.
      if (!operand.empty() && (operand[0] == '-' || operand[0] == '+'))
        operand = "(" + operand + ")";
      return op + operand;
    }
    case ExprKind::kBinary: {
      int p = binary_precedence(op);
      if (op == "->" || op == "->>") {
        return wrap(*args[0], kPrecPostfix) + op + wrap(*args[1], kPrecPrimary);
      }
      // Comparison operands are parsed at the || level; arithmetic is left-associative.
      int left_min = p == kPrecCompare ? kPrecConcat : p;
      int right_min = p == kPrecCompare ? kPrecConcat : p + 1;
      return wrap(*args[0], left_min) + " " + op + " " + wrap(*args[1], right_min);
    }
    case ExprKind::kFunction:
      return function_to_string(*this);
    case ExprKind::kCase: {
      std::string s = "CASE";
      size_t i = 0;
      if (has_operand) s += " " + args[i++]->to_string();
      size_t end = has_else ? args.size() - 1 : args.size();
      for (; i + 1 < end + 1 && i + 1 < args.size() && i < end; i += 2) {
        s += " WHEN " + args[i]->to_string() + " THEN " + args[i + 1]->to_string();
      }
      if (has_else) s += " ELSE " + args.back()->to_string();
      return s + " END";
    }
    case ExprKind::kCast:
      return fmt::format("{}({} AS {})", try_cast ? "TRY_CAST" : "CAST", args[0]->to_string(),
                         cast_type.to_string());
    case ExprKind::kIn: {
      std::string s = wrap(*args[0], kPrecConcat) + (negated ? " NOT IN (" : " IN (");
      for (size_t i = 1; i < args.size(); ++i) {
        if (i > 1) s += ", ";
        s += args[i]->to_string();
      }
      return s + ")";
    }
    case ExprKind::kInSubquery:
      return wrap(*args[0], kPrecConcat) + (negated ? " NOT IN (" : " IN (") +
             query_to_string(*subquery) + ")";
    case ExprKind::kBetween:
      return wrap(*args[0], kPrecConcat) + (negated ? " NOT BETWEEN " : " BETWEEN ") +
             wrap(*args[1], kPrecConcat) + " AND " + wrap(*args[2], kPrecConcat);
    case ExprKind::kLike: {
      std::string s = wrap(*args[0], kPrecConcat) + (negated ? " NOT " : " ") + op + " " +
                      wrap(*args[1], kPrecConcat);
      if (args.size() > 2) s += " ESCAPE " + wrap(*args[2], kPrecConcat);
      return s;
    }
    case ExprKind::kIsNull:
      return wrap(*args[0], kPrecConcat) + (negated ? " IS NOT NULL" : " IS NULL");
    case ExprKind::kIsBool:
      return wrap(*args[0], kPrecConcat) + (negated ? " IS NOT " : " IS ") +
             (value.as_bool() ? "TRUE" : "FALSE");
    case ExprKind::kSubquery:
      return "(" + query_to_string(*subquery) + ")";
    case ExprKind::kExists:
      return (negated ? "NOT EXISTS (" : "EXISTS (") + query_to_string(*subquery) + ")";
    case ExprKind::kInterval:
      return "INTERVAL (" + args[0]->to_string() + ") " + op;
  }
  return "?";
}

}  // namespace velo::sql
