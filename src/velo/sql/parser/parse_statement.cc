#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include "velo/sql/parser/parser.h"
#include "velo/sql/parser/parser_impl.h"
#include "velo/types/error.h"

namespace velo::sql {

namespace {

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// Words that end or structure a clause: never read as a column name or an implicit alias.
constexpr std::string_view kReserved[] = {
    "SELECT",    "FROM",   "WHERE", "GROUP", "HAVING",   "ORDER",  "LIMIT", "OFFSET", "UNION",
    "INTERSECT", "EXCEPT", "JOIN",  "INNER", "LEFT",     "RIGHT",  "FULL",  "CROSS",  "OUTER",
    "NATURAL",   "ON",     "USING", "INTO",  "WITH",     "WINDOW", "EMIT",  "AS",     "AND",
    "OR",        "NOT",    "IS",    "IN",    "BETWEEN",  "LIKE",   "ILIKE", "THEN",   "WHEN",
    "ELSE",      "END",    "CASE",  "BY",    "DISTINCT", "ALL",    "FETCH", "QUALIFY"};

bool is_reserved(const Token& t) {
  if (t.kind != TokenKind::kWord) return false;
  return std::any_of(std::begin(kReserved), std::end(kReserved),
                     [&](std::string_view w) { return t.is_word(w); });
}

std::string describe_token(const Token& t) {
  switch (t.kind) {
    case TokenKind::kEnd:
      return "end of input";
    case TokenKind::kString:
      return fmt::format("'{}'", t.text);
    case TokenKind::kQuotedIdent:
      return fmt::format("'\"{}\"'", t.text);
    case TokenKind::kBytes:
      return "bytes literal";
    default:
      return fmt::format("'{}'", t.text);
  }
}

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

// Reads `@key: value` (or `@key value`) from a comment body.
bool parse_annotation(std::string_view comment, std::string* key, std::string* value) {
  std::string body = trim(comment);
  if (body.size() < 2 || body[0] != '@') return false;
  size_t end = 1;
  while (end < body.size() && body[end] != ':' &&
         !std::isspace(static_cast<unsigned char>(body[end])))
    ++end;
  *key = body.substr(1, end - 1);
  if (key->empty()) return false;
  std::string rest = body.substr(end);
  size_t colon = rest.find_first_not_of(" \t");
  if (colon != std::string::npos && rest[colon] == ':') rest = rest.substr(colon + 1);
  *value = trim(rest);
  return true;
}

}  // namespace

Parser::Parser(std::string_view sql) : sql_(sql) {
  Lexer lexer(sql);
  tokens_ = lexer.tokenize();
  comments_ = lexer.comments();
}

Parser::DepthGuard::DepthGuard(Parser* p) : p_(p) {
  if (++p_->depth_ > kMaxDepth) {
    --p_->depth_;
    p_->fail_at(p_->peek(), "statement is nested too deeply");
  }
}

// --- token access ---------------------------------------------------------------------------

const Token& Parser::peek(size_t ahead) const {
  size_t i = std::min(pos_ + ahead, tokens_.size() - 1);
  return tokens_[i];
}

const Token& Parser::next() {
  const Token& t = tokens_[pos_];
  if (pos_ + 1 < tokens_.size()) ++pos_;
  return t;
}

void Parser::note_expected(std::string what) {
  if (expected_at_ != pos_) {
    expected_.clear();
    expected_at_ = pos_;
  }
  if (std::find(expected_.begin(), expected_.end(), what) == expected_.end()) {
    expected_.push_back(std::move(what));
  }
}

bool Parser::check_word(std::string_view w) {
  if (peek().is_word(w)) return true;
  note_expected(upper(std::string(w)));
  return false;
}

bool Parser::check_symbol(std::string_view s) {
  if (peek().is_symbol(s)) return true;
  note_expected(fmt::format("'{}'", s));
  return false;
}

bool Parser::accept_word(std::string_view w) {
  if (!check_word(w)) return false;
  next();
  return true;
}

bool Parser::accept_symbol(std::string_view s) {
  if (!check_symbol(s)) return false;
  next();
  return true;
}

void Parser::expect_word(std::string_view w) {
  if (!accept_word(w)) fail_unexpected();
}

void Parser::expect_symbol(std::string_view s) {
  if (!accept_symbol(s)) fail_unexpected();
}

void Parser::fail_at(const Token& t, const std::string& message) {
  throw_syntax_error(t.pos, message);
}

void Parser::fail_unexpected() {
  const Token& t = peek();
  std::string message = "unexpected " + describe_token(t);
  if (expected_at_ == pos_ && !expected_.empty()) {
    constexpr size_t kMaxListed = 8;
    std::string list;
    for (size_t i = 0; i < expected_.size() && i < kMaxListed; ++i) {
      if (i > 0) list += ", ";
      list += expected_[i];
    }
    if (expected_.size() > kMaxListed) list += ", ...";
    message += ", expected " + list;
    if (t.kind == TokenKind::kWord && t.text.size() >= 4) {
      // A misspelt keyword (FORM for FROM) gets a hint.
      std::vector<std::string> keywords;
      for (const std::string& e : expected_) {
        if (!e.empty() && std::isalpha(static_cast<unsigned char>(e[0])) &&
            e.find(' ') == std::string::npos && upper(e) == e) {
          keywords.push_back(e);
        }
      }
      std::string hint = nearest_name(upper(t.text), keywords);
      if (!hint.empty() && hint != upper(t.text)) message += " (did you mean " + hint + "?)";
    }
  }
  fail_at(t, message);
}

bool Parser::is_identifier_token(const Token& t) const {
  return t.kind == TokenKind::kQuotedIdent || (t.kind == TokenKind::kWord && !is_reserved(t));
}

std::string Parser::identifier(std::string_view what) {
  if (!is_identifier_token(peek())) {
    note_expected(std::string(what));
    fail_unexpected();
  }
  return next().text;
}

std::vector<std::string> Parser::dotted_name(std::string_view what) {
  std::vector<std::string> names;
  names.push_back(identifier(what));
  while (peek().is_symbol(".") &&
         (peek(1).kind == TokenKind::kWord || peek(1).kind == TokenKind::kQuotedIdent)) {
    next();
    names.push_back(next().text);
  }
  return names;
}

namespace {
std::string join_dots(const std::vector<std::string>& names) {
  std::string s;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) s += '.';
    s += names[i];
  }
  return s;
}
}  // namespace

// --- entry points ---------------------------------------------------------------------------

std::vector<std::unique_ptr<Statement>> Parser::script() {
  std::vector<std::unique_ptr<Statement>> statements;
  int prev_end = 0;
  while (true) {
    while (peek().is_symbol(";")) next();
    if (at_end()) break;
    int start = peek().pos.offset;
    auto st = statement();
    for (const Comment& c : comments_) {
      if (c.offset < prev_end || c.offset >= start) continue;
      std::string key, value;
      if (!parse_annotation(c.text, &key, &value)) continue;
      if (key == "name") st->annotation = value;
      st->annotations.emplace_back(key, value);
    }
    statements.push_back(std::move(st));
    if (!at_end()) {
      note_expected("';'");
      expect_symbol(";");
    }
    const Token& last = tokens_[pos_ > 0 ? pos_ - 1 : 0];
    prev_end = last.pos.offset + last.length;
  }
  return statements;
}

std::unique_ptr<Statement> Parser::single_statement() {
  while (peek().is_symbol(";")) next();
  if (at_end()) {
    note_expected("statement");
    fail_unexpected();
  }
  auto statements = script();
  if (statements.size() != 1) {
    throw Error(ErrorKind::kUser,
                fmt::format("expected exactly one statement, got {}", statements.size()));
  }
  return std::move(statements[0]);
}

ExprPtr Parser::standalone_expression() {
  ExprPtr e = expression();
  if (!at_end()) {
    note_expected("end of expression");
    fail_unexpected();
  }
  return e;
}

DataType Parser::standalone_type() {
  DataType t = type();
  if (!at_end()) {
    note_expected("end of type");
    fail_unexpected();
  }
  return t;
}

std::vector<std::unique_ptr<Statement>> parse_script(std::string_view sql) {
  return Parser(sql).script();
}

std::unique_ptr<Statement> parse_statement(std::string_view sql) {
  return Parser(sql).single_statement();
}

ExprPtr parse_expression(std::string_view sql) { return Parser(sql).standalone_expression(); }

DataType parse_type(std::string_view sql) { return Parser(sql).standalone_type(); }

// --- statements -----------------------------------------------------------------------------

std::unique_ptr<Statement> Parser::statement() {
  const Token start = peek();
  std::unique_ptr<Statement> st;
  if (peek().is_word("EXPLAIN")) {
    next();
    st = std::make_unique<Statement>();
    st->kind = StatementKind::kExplain;
    st->explain_analyze = accept_word("ANALYZE");
    st->explained = statement();
  } else if (peek().is_word("CREATE")) {
    next();
    st = create_statement(start);
  } else if (peek().is_word("INSERT")) {
    // INSERT INTO name SELECT … is the seed's `SELECT … INTO name`.
    next();
    expect_word("INTO");
    SourcePos target_pos = peek().pos;
    std::string target = join_dots(dotted_name("table name"));
    st = std::make_unique<Statement>();
    st->kind = StatementKind::kQuery;
    st->query = query();
    st->into.push_back(SinkTarget{std::move(target), true, target_pos});
    if (peek().is_word("WITH") && peek(1).is_symbol("(")) {
      next();
      st->options_pos = peek().pos;
      options_list(&st->options);
    }
  } else if (peek().is_word("SET")) {
    next();
    st = std::make_unique<Statement>();
    st->kind = StatementKind::kSet;
    if (peek().kind == TokenKind::kString) {
      st->name = next().text;
    } else {
      st->name = join_dots(dotted_name("setting name"));
    }
    if (!accept_word("TO")) expect_symbol("=");
    st->set_value = option_value();
  } else if (peek().is_word("SHOW")) {
    next();
    st = std::make_unique<Statement>();
    st->kind = StatementKind::kShow;
    if (peek().kind != TokenKind::kWord) {
      note_expected("STREAMS");
      note_expected("TABLES");
      note_expected("FUNCTIONS");
      fail_unexpected();
    }
    st->name = upper(next().text);
  } else if (peek().is_word("DESCRIBE") || peek().is_word("DESC")) {
    next();
    st = std::make_unique<Statement>();
    st->kind = StatementKind::kDescribe;
    if (peek().kind == TokenKind::kString) {
      st->name = next().text;
      st->name_is_uri = true;
    } else {
      st->name = join_dots(dotted_name("name or 'uri'"));
    }
  } else {
    st = query_statement();
  }
  st->pos = start.pos;
  const Token& last = tokens_[pos_ > 0 ? pos_ - 1 : 0];
  int end = last.pos.offset + last.length;
  if (start.pos.offset >= 0 && end >= start.pos.offset) {
    st->text = std::string(sql_.substr(start.pos.offset, end - start.pos.offset));
  }
  return st;
}

std::unique_ptr<Statement> Parser::query_statement() {
  if (!starts_query() && !peek().is_symbol("(")) {
    static constexpr std::string_view kStarts[] = {"SELECT",  "WITH", "CREATE", "INSERT",
                                                   "EXPLAIN", "SET",  "SHOW",   "DESCRIBE"};
    for (std::string_view s : kStarts) note_expected(std::string(s));
    fail_unexpected();
  }
  auto st = std::make_unique<Statement>();
  st->kind = StatementKind::kQuery;
  st->query = query();
  if (check_word("INTO")) {
    next();
    into_clause(st.get());
  }
  if (check_word("WITH") && peek(1).is_symbol("(")) {
    next();
    st->options_pos = peek().pos;
    options_list(&st->options);
  }
  return st;
}

void Parser::into_clause(Statement* st) {
  do {
    const Token& t = peek();
    if (t.kind == TokenKind::kString) {
      next();
      st->into.push_back(SinkTarget{t.text, false, t.pos});
    } else if (is_identifier_token(t)) {
      SourcePos pos = t.pos;
      st->into.push_back(SinkTarget{join_dots(dotted_name("sink name")), true, pos});
    } else {
      note_expected("'uri'");
      note_expected("sink name");
      fail_unexpected();
    }
  } while (accept_symbol(","));
}

std::unique_ptr<Statement> Parser::create_statement(const Token& start) {
  auto st = std::make_unique<Statement>();
  if (accept_word("OR")) expect_word("REPLACE");
  accept_word("TEMPORARY");
  if (check_word("STREAM")) {
    st->kind = StatementKind::kCreateStream;
  } else if (check_word("TABLE")) {
    st->kind = StatementKind::kCreateTable;
  } else if (check_word("SOURCE")) {
    st->kind = StatementKind::kCreateSource;
  } else if (check_word("SINK")) {
    st->kind = StatementKind::kCreateSink;
  } else if (check_word("VIEW")) {
    st->kind = StatementKind::kCreateView;
  } else {
    fail_unexpected();
  }
  next();
  if (peek().is_word("IF")) {
    next();
    expect_word("NOT");
    expect_word("EXISTS");
  }
  st->name = join_dots(dotted_name("name"));
  if (peek().is_symbol("(") && st->kind != StatementKind::kCreateView) column_defs(st.get());
  if (st->kind == StatementKind::kCreateTable && peek().is_word("PARTITIONED")) {
    next();
    expect_word("BY");
    expect_symbol("(");
    do {
      st->partitioned_by.push_back(identifier("column name"));
    } while (accept_symbol(","));
    expect_symbol(")");
  }
  // CREATE SINK name AS SELECT … is accepted too (RisingWave's spelling of INSERT INTO).
  bool as_query = st->kind != StatementKind::kCreateSource && st->columns.empty() &&
                  (st->kind != StatementKind::kCreateSink || peek().is_word("AS"));
  if (as_query && (st->kind == StatementKind::kCreateView || !peek().is_word("WITH"))) {
    expect_word("AS");
    bool saved = in_create_as_;
    in_create_as_ = true;
    st->query = query();
    in_create_as_ = saved;
    if (check_word("INTO")) {
      next();
      into_clause(st.get());
    }
  }
  if (check_word("WITH") && peek(1).is_symbol("(")) {
    next();
    st->options_pos = peek().pos;
    options_list(&st->options);
  }
  return st;
}

void Parser::column_defs(Statement* st) {
  expect_symbol("(");
  do {
    if (peek().is_word("PRIMARY") && peek(1).is_word("KEY")) {
      next();
      next();
      expect_symbol("(");
      do {
        st->primary_key.push_back(identifier("column name"));
      } while (accept_symbol(","));
      expect_symbol(")");
      if (peek().is_word("NOT") && peek(1).is_word("ENFORCED")) {
        next();
        next();
      }
      continue;
    }
    if (peek().is_word("WATERMARK") && peek(1).is_word("FOR")) {
      next();
      next();
      if (peek().kind != TokenKind::kWord && peek().kind != TokenKind::kQuotedIdent) {
        note_expected("column name");
        fail_unexpected();
      }
      st->watermark_column = next().text;
      expect_word("AS");
      st->watermark = expression();
      continue;
    }
    ColumnDef col;
    col.pos = peek().pos;
    if (peek().kind != TokenKind::kWord && peek().kind != TokenKind::kQuotedIdent) {
      note_expected("column name");
      fail_unexpected();
    }
    col.name = next().text;
    if (peek().is_word("AS")) {
      next();
      col.computed = expression();
      st->columns.push_back(std::move(col));
      continue;
    }
    col.type = type();
    while (true) {
      if (peek().is_word("NOT") && peek(1).is_word("NULL")) {
        next();
        next();
      } else if (peek().is_word("NULL")) {
        next();
      } else if (peek().is_word("PRIMARY") && peek(1).is_word("KEY")) {
        next();
        next();
        col.primary_key = true;
        st->primary_key.push_back(col.name);
        if (peek().is_word("NOT") && peek(1).is_word("ENFORCED")) {
          next();
          next();
        }
      } else {
        break;
      }
    }
    st->columns.push_back(std::move(col));
  } while (accept_symbol(","));
  expect_symbol(")");
}

void Parser::options_list(Options* options) {
  expect_symbol("(");
  if (accept_symbol(")")) return;
  do {
    std::string key;
    const Token& t = peek();
    if (t.kind == TokenKind::kString || t.kind == TokenKind::kQuotedIdent) {
      key = next().text;
    } else if (t.kind == TokenKind::kWord) {
      key = next().text;
      while (peek().is_symbol(".") && peek(1).kind == TokenKind::kWord) {
        next();
        key += "." + next().text;
      }
    } else {
      note_expected("option name");
      fail_unexpected();
    }
    expect_symbol("=");
    options->set(std::move(key), option_value());
  } while (accept_symbol(","));
  expect_symbol(")");
}

std::string Parser::option_value() {
  const Token& t = peek();
  switch (t.kind) {
    case TokenKind::kString:
    case TokenKind::kNumber:
    case TokenKind::kDuration:
    case TokenKind::kQuotedIdent:
      return next().text;
    case TokenKind::kSymbol:
      if ((t.is_symbol("-") || t.is_symbol("+")) && peek(1).kind == TokenKind::kNumber) {
        std::string sign = next().text;
        return (sign == "-" ? "-" : "") + next().text;
      }
      break;
    case TokenKind::kWord: {
      if (t.is_word("TRUE") || t.is_word("FALSE")) {
        std::string v = next().text;
        for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return v;
      }
      if (t.is_word("INTERVAL") && peek(1).kind == TokenKind::kString) {
        next();
        std::string v = next().text;
        if (peek().kind == TokenKind::kWord && !peek().is_symbol(",")) {
          if (!peek().is_word("AND")) v += " " + next().text;
        }
        return v;
      }
      std::string v = next().text;
      while (peek().is_symbol(".") && peek(1).kind == TokenKind::kWord) {
        next();
        v += "." + next().text;
      }
      return v;
    }
    default:
      break;
  }
  note_expected("option value");
  fail_unexpected();
}

bool Parser::with_options_end_statement() const {
  // At WITH '(': finds the matching ')' and checks that the statement ends after it.
  size_t i = pos_ + 1;
  int depth = 0;
  for (; i < tokens_.size(); ++i) {
    if (tokens_[i].is_symbol("(")) ++depth;
    if (tokens_[i].is_symbol(")") && --depth == 0) break;
  }
  if (i + 1 >= tokens_.size()) return false;
  const Token& after = tokens_[i + 1];
  return after.kind == TokenKind::kEnd || after.is_symbol(";");
}

// --- queries ----------------------------------------------------------------------------------

std::unique_ptr<Query> Parser::query() {
  DepthGuard guard(this);
  SourcePos pos = peek().pos;
  std::vector<CommonTableExpr> ctes;
  if (peek().is_word("WITH") && !peek(1).is_symbol("(")) {
    next();
    accept_word("RECURSIVE");
    do {
      CommonTableExpr cte;
      cte.pos = peek().pos;
      cte.name = identifier("CTE name");
      if (accept_symbol("(")) {
        do {
          cte.column_aliases.push_back(identifier("column name"));
        } while (accept_symbol(","));
        expect_symbol(")");
      }
      expect_word("AS");
      expect_symbol("(");
      cte.query = query();
      expect_symbol(")");
      ctes.push_back(std::move(cte));
    } while (accept_symbol(","));
  }
  std::unique_ptr<Query> q = set_expression();
  if (!ctes.empty()) {
    for (auto& c : q->ctes) ctes.push_back(std::move(c));
    q->ctes = std::move(ctes);
    q->pos = pos;
  }
  if (check_word("ORDER")) {
    next();
    expect_word("BY");
    q->order_by = order_list();
  }
  for (int i = 0; i < 2; ++i) {
    if (!q->limit && check_word("LIMIT")) {
      next();
      if (!accept_word("ALL")) q->limit = expression();
    }
    if (!q->offset && check_word("OFFSET")) {
      next();
      q->offset = expression();
      if (!accept_word("ROWS")) accept_word("ROW");
    }
  }
  if (q->select && q->select->emit == EmitMode::kDefault && check_word("EMIT")) {
    next();
    if (accept_word("CHANGES")) {
      q->select->emit = EmitMode::kChanges;
    } else {
      expect_word("FINAL");
      q->select->emit = EmitMode::kFinal;
    }
  }
  return q;
}

std::unique_ptr<Query> Parser::set_expression() {
  std::unique_ptr<Query> left = query_primary();
  while (check_word("UNION") || check_word("INTERSECT") || check_word("EXCEPT")) {
    const Token& op = next();
    auto q = std::make_unique<Query>();
    q->pos = left->pos;
    if (op.is_word("UNION")) {
      q->set_op = accept_word("ALL") ? SetOp::kUnionAll : SetOp::kUnion;
      if (q->set_op == SetOp::kUnion) accept_word("DISTINCT");
    } else {
      q->set_op = op.is_word("INTERSECT") ? SetOp::kIntersect : SetOp::kExcept;
      if (peek().is_word("ALL")) {
        fail_at(peek(), fmt::format("{} ALL is not supported", upper(op.text)));
      }
      accept_word("DISTINCT");
    }
    q->left = std::move(left);
    q->right = query_primary();
    left = std::move(q);
  }
  return left;
}

std::unique_ptr<Query> Parser::query_primary() {
  if (peek().is_symbol("(")) {
    next();
    std::unique_ptr<Query> q = query();
    expect_symbol(")");
    return q;
  }
  auto q = std::make_unique<Query>();
  q->pos = peek().pos;
  q->select = select();
  return q;
}

std::unique_ptr<Select> Parser::select() {
  expect_word("SELECT");
  auto s = std::make_unique<Select>();
  if (accept_word("DISTINCT")) {
    s->distinct = true;
  } else {
    accept_word("ALL");
  }
  select_items(s.get());
  if (check_word("FROM")) {
    next();
    s->from = table_expression();
  }
  if (check_word("WHERE")) {
    next();
    s->where = expression();
  }
  auto maybe_window = [&] {
    if (!s->window && check_word("WINDOW")) s->window = window_clause();
  };
  maybe_window();
  if (check_word("GROUP")) {
    next();
    expect_word("BY");
    do {
      s->group_by.push_back(expression());
    } while (accept_symbol(","));
  }
  maybe_window();
  if (check_word("HAVING")) {
    next();
    s->having = expression();
  }
  maybe_window();
  if (check_word("EMIT")) {
    next();
    if (accept_word("CHANGES")) {
      s->emit = EmitMode::kChanges;
    } else {
      expect_word("FINAL");
      s->emit = EmitMode::kFinal;
    }
  }
  return s;
}

void Parser::select_items(Select* s) {
  do {
    SelectItem item;
    if (peek().is_symbol("*")) {
      item.expr = make_expr(ExprKind::kStar, next().pos);
    } else {
      item.expr = expression();
    }
    if (peek().is_word("AS")) {
      next();
      const Token& a = peek();
      if (a.kind == TokenKind::kWord || a.kind == TokenKind::kQuotedIdent ||
          a.kind == TokenKind::kString) {
        item.alias = next().text;
      } else {
        note_expected("alias");
        fail_unexpected();
      }
    } else if (implicit_alias_ok()) {
      item.alias = next().text;
    }
    s->items.push_back(std::move(item));
  } while (accept_symbol(","));
}

bool Parser::implicit_alias_ok() const {
  if (!is_identifier_token(peek())) return false;
  // `FROM x FORM y`: two bare words in a row are far more often a misspelt keyword than an alias
  // followed by something, so leave the word for the error message.
  const Token& after = peek(1);
  if (after.kind == TokenKind::kString || after.kind == TokenKind::kQuotedIdent ||
      after.kind == TokenKind::kNumber) {
    return false;
  }
  if (after.kind == TokenKind::kWord && !is_reserved(after) && !after.is_word("EMIT") &&
      !after.is_word("LIMIT")) {
    return false;
  }
  return true;
}

void Parser::table_alias(TableRef* t) {
  if (peek().is_word("AS")) {
    next();
    if (peek().kind != TokenKind::kWord && peek().kind != TokenKind::kQuotedIdent) {
      note_expected("alias");
      fail_unexpected();
    }
    t->alias = next().text;
  } else if (implicit_alias_ok()) {
    t->alias = next().text;
  } else {
    return;
  }
  if (peek().is_symbol("(")) {
    next();
    do {
      t->column_aliases.push_back(identifier("column name"));
    } while (accept_symbol(","));
    expect_symbol(")");
  }
}

std::unique_ptr<TableRef> Parser::table_expression() {
  std::unique_ptr<TableRef> left = table_primary();
  while (true) {
    JoinType type = JoinType::kInner;
    const Token& t = peek();
    SourcePos pos = t.pos;
    bool is_join = false;
    bool comma = false;
    if (t.is_symbol(",")) {
      next();
      type = JoinType::kCross;
      comma = true;
      is_join = true;
    } else if (t.is_word("JOIN")) {
      next();
      is_join = true;
    } else if (t.is_word("INNER") || t.is_word("LEFT") || t.is_word("RIGHT") || t.is_word("FULL") ||
               t.is_word("CROSS")) {
      next();
      type = t.is_word("INNER")   ? JoinType::kInner
             : t.is_word("LEFT")  ? JoinType::kLeft
             : t.is_word("RIGHT") ? JoinType::kRight
             : t.is_word("FULL")  ? JoinType::kFull
                                  : JoinType::kCross;
      if (type != JoinType::kInner && type != JoinType::kCross) accept_word("OUTER");
      expect_word("JOIN");
      is_join = true;
    } else {
      note_expected("JOIN");
      note_expected("','");
    }
    if (!is_join) return left;
    auto j = std::make_unique<TableRef>();
    j->kind = TableRef::Kind::kJoin;
    j->pos = comma ? left->pos : pos;
    j->join_type = type;
    j->left = std::move(left);
    j->right = table_primary();
    if (type != JoinType::kCross) {
      if (check_word("ON")) {
        next();
        j->on = expression();
      } else if (check_word("USING")) {
        next();
        expect_symbol("(");
        do {
          j->using_columns.push_back(identifier("column name"));
        } while (accept_symbol(","));
        expect_symbol(")");
      } else {
        fail_unexpected();
      }
    }
    left = std::move(j);
  }
}

std::unique_ptr<TableRef> Parser::table_primary() {
  DepthGuard guard(this);
  const Token start = peek();
  std::unique_ptr<TableRef> t;
  if (start.kind == TokenKind::kString) {
    next();
    t = std::make_unique<TableRef>();
    t->kind = TableRef::Kind::kUri;
    t->target = start.text;
  } else if (start.is_symbol("(")) {
    next();
    if (starts_query()) {
      t = std::make_unique<TableRef>();
      t->kind = TableRef::Kind::kSubquery;
      t->subquery = query();
      expect_symbol(")");
    } else {
      t = table_expression();
      expect_symbol(")");
      t->pos = start.pos;
      if (t->kind == TableRef::Kind::kJoin) return t;
    }
  } else if (start.is_word("TABLE") && peek(1).is_symbol("(")) {
    next();
    next();
    const Token fn = peek();
    std::string name = identifier("table function");
    expect_symbol("(");
    t = table_function(fn, std::move(name));
    expect_symbol(")");
  } else if (is_identifier_token(start) && peek(1).is_symbol("(")) {
    next();
    next();
    t = table_function(start, start.text);
  } else if (is_identifier_token(start)) {
    t = std::make_unique<TableRef>();
    t->kind = TableRef::Kind::kName;
    t->target = join_dots(dotted_name("table"));
  } else {
    note_expected("'uri'");
    note_expected("table name");
    note_expected("'('");
    fail_unexpected();
  }
  t->pos = start.pos;
  if (peek().is_word("FOR") && peek(1).is_word("SYSTEM_TIME")) {
    next();
    next();
    expect_word("AS");
    expect_word("OF");
    t->system_time_as_of = concat_expr();
  }
  table_alias(t.get());
  if (peek().is_word("WITH") && peek(1).is_symbol("(") &&
      !(in_create_as_ && with_options_end_statement())) {
    next();
    options_list(&t->options);
    // `FROM 'x.csv' WITH (...) w(a, b)`: the alias may follow the options too.
    if (t->alias.empty()) table_alias(t.get());
  }
  return t;
}

std::unique_ptr<TableRef> Parser::table_function(const Token& start, std::string name) {
  // The '(' is consumed; reads arguments and the closing ')'.
  auto t = std::make_unique<TableRef>();
  t->kind = TableRef::Kind::kFunction;
  t->pos = start.pos;
  t->target = std::move(name);
  if (accept_symbol(")")) return t;
  bool first = true;
  do {
    const Token& a = peek();
    bool table_uri = a.is_word("TABLE") && peek(1).kind == TokenKind::kString;
    if (table_uri || (first && a.kind == TokenKind::kString)) {
      // TUMBLE(TABLE 'clicks.csv', ...) or TUMBLE('kafka://.../t', ...): a source URI.
      if (table_uri) next();
      auto arg = std::make_unique<TableRef>();
      arg->kind = TableRef::Kind::kUri;
      arg->pos = peek().pos;
      arg->target = next().text;
      t->table_args.push_back(std::move(arg));
    } else if (a.is_word("TABLE") && is_identifier_token(peek(1))) {
      next();
      auto arg = std::make_unique<TableRef>();
      arg->kind = TableRef::Kind::kName;
      arg->pos = peek().pos;
      arg->target = join_dots(dotted_name("table"));
      t->table_args.push_back(std::move(arg));
    } else if (a.is_word("DESCRIPTOR") && peek(1).is_symbol("(")) {
      next();
      next();
      auto e = make_expr(ExprKind::kColumnRef, peek().pos);
      e->op = "DESCRIPTOR";
      e->names = dotted_name("column name");
      expect_symbol(")");
      t->args.push_back(std::move(e));
    } else if (first && is_identifier_token(a) &&
               (peek(1).is_symbol(",") || peek(1).is_symbol(")") ||
                (peek(1).is_symbol(".") && !peek(2).is_symbol("*")))) {
      // Plain TUMBLE(bids, DESCRIPTOR(ts), …): a bare first name is the input table.
      auto arg = std::make_unique<TableRef>();
      arg->kind = TableRef::Kind::kName;
      arg->pos = a.pos;
      arg->target = join_dots(dotted_name("table"));
      t->table_args.push_back(std::move(arg));
    } else if (first && a.is_symbol("(") &&
               (peek(1).is_word("SELECT") || peek(1).is_word("WITH"))) {
      next();
      auto arg = std::make_unique<TableRef>();
      arg->kind = TableRef::Kind::kSubquery;
      arg->pos = a.pos;
      arg->subquery = query();
      expect_symbol(")");
      t->table_args.push_back(std::move(arg));
    } else {
      t->args.push_back(expression());
    }
    first = false;
  } while (accept_symbol(","));
  expect_symbol(")");
  return t;
}

WindowClause Parser::window_clause() {
  WindowClause w;
  w.pos = next().pos;  // WINDOW
  const Token& kind = peek();
  static constexpr std::string_view kKinds[] = {"TUMBLING", "HOPPING", "SLIDING", "SESSION"};
  bool ok = false;
  for (std::string_view k : kKinds) {
    if (check_word(k)) ok = true;
  }
  if (!ok) fail_unexpected();
  w.kind = upper(next().text);
  (void)kind;
  expect_symbol("(");
  if (!accept_symbol(")")) {
    do {
      w.args.push_back(expression());
    } while (accept_symbol(","));
    expect_symbol(")");
  }
  return w;
}

std::vector<OrderItem> Parser::order_list() {
  std::vector<OrderItem> items;
  do {
    OrderItem item;
    item.expr = expression();
    if (peek().is_word("DESC")) {
      next();
      item.descending = true;
    } else if (peek().is_word("ASC")) {
      next();
    }
    if (peek().is_word("NULLS")) {
      next();
      if (accept_word("FIRST")) {
        item.nulls_first = true;
      } else {
        expect_word("LAST");
        item.nulls_first = false;
      }
    }
    items.push_back(std::move(item));
  } while (accept_symbol(","));
  return items;
}

}  // namespace velo::sql
