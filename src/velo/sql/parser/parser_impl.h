#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "velo/sql/parser/ast.h"
#include "velo/sql/parser/lexer.h"

namespace velo::sql {

/// Recursive-descent parser over the token vector of one SQL text. Internal to the parser
/// (parse_statement.cc, parse_expression.cc, parse_type.cc share it); use parser.h instead.
class Parser {
 public:
  explicit Parser(std::string_view sql);

  std::vector<std::unique_ptr<Statement>> script();
  std::unique_ptr<Statement> single_statement();
  ExprPtr standalone_expression();
  DataType standalone_type();

 private:
  // --- token access -------------------------------------------------------------------------
  const Token& peek(size_t ahead = 0) const;
  const Token& next();  // consumes
  bool at_end() const { return peek().kind == TokenKind::kEnd; }
  // Checks that record what was expected at the current token, for error messages.
  bool check_word(std::string_view w);
  bool check_symbol(std::string_view s);
  bool accept_word(std::string_view w);
  bool accept_symbol(std::string_view s);
  void expect_word(std::string_view w);
  void expect_symbol(std::string_view s);
  void note_expected(std::string what);
  /// Counts one level of nesting for the lifetime of the guard; throws past kMaxDepth.
  class DepthGuard {
   public:
    explicit DepthGuard(Parser* p);
    ~DepthGuard() { --p_->depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;

   private:
    Parser* p_;
  };
  static constexpr int kMaxDepth = 500;
  [[noreturn]] void fail_unexpected();
  [[noreturn]] void fail_at(const Token& t, const std::string& message);
  std::string identifier(std::string_view what);  // word or quoted identifier
  bool is_identifier_token(const Token& t) const;
  std::vector<std::string> dotted_name(std::string_view what);

  // --- statements (parse_statement.cc) ---------------------------------------------------------
  std::unique_ptr<Statement> statement();
  std::unique_ptr<Statement> query_statement();
  std::unique_ptr<Statement> create_statement(const Token& start);
  void into_clause(Statement* st);
  void options_list(Options* options);
  std::string option_value();
  void column_defs(Statement* st);
  bool with_options_end_statement() const;

  // --- queries
  // -------------------------------------------------------------------------------------
  std::unique_ptr<Query> query();
  std::unique_ptr<Query> set_expression();
  std::unique_ptr<Query> query_primary();
  std::unique_ptr<Select> select();
  void select_items(Select* s);
  std::unique_ptr<TableRef> table_expression();
  std::unique_ptr<TableRef> table_primary();
  std::unique_ptr<TableRef> table_function(const Token& start, std::string name);
  void table_alias(TableRef* t);
  bool implicit_alias_ok() const;
  WindowClause window_clause();
  std::vector<OrderItem> order_list();

  // --- expressions (parse_expression.cc) --------------------------------------------------------
 public:
  ExprPtr expression();

 private:
  ExprPtr or_expr();
  ExprPtr and_expr();
  ExprPtr not_expr();
  ExprPtr comparison();
  ExprPtr concat_expr();
  ExprPtr additive();
  ExprPtr multiplicative();
  ExprPtr unary();
  ExprPtr postfix();
  ExprPtr primary();
  ExprPtr function_call(const Token& start, std::string name);
  ExprPtr special_function(const Token& start);
  ExprPtr case_expr(const Token& start);
  ExprPtr cast_expr(const Token& start, bool try_cast);
  ExprPtr interval_literal(const Token& start);
  ExprPtr number_literal(const Token& t);
  std::unique_ptr<WindowSpec> window_spec();
  void frame_bound(WindowSpec::BoundKind* kind, ExprPtr* offset);
  bool starts_query() const;

  // --- types (parse_type.cc) --------------------------------------------------------------------
 public:
  DataType type();

 private:
  DataType base_type();

  std::string_view sql_;
  std::vector<Token> tokens_;
  std::vector<Comment> comments_;
  size_t pos_ = 0;
  size_t expected_at_ = static_cast<size_t>(-1);
  std::vector<std::string> expected_;
  int depth_ = 0;  // nesting of expressions, queries and tables (bounded: deep input would
                   // otherwise overflow the stack)
  bool in_create_as_ = false;
};

/// Makes an expression node of `kind` positioned at `pos`.
ExprPtr make_expr(ExprKind kind, const SourcePos& pos);

}  // namespace velo::sql
