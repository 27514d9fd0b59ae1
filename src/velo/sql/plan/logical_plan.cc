#include "velo/sql/plan/logical_plan.h"

#include <fmt/format.h>

namespace velo::sql {

SchemaPtr make_schema(std::vector<Field> fields) {
  return std::make_shared<const Schema>(std::move(fields));
}

namespace {
std::string micros_text(int64_t us) {
  if (us % 1000000 == 0) return fmt::format("{}s", us / 1000000);
  if (us % 1000 == 0) return fmt::format("{}ms", us / 1000);
  return fmt::format("{}us", us);
}

std::string window_text(const WindowDef& w) {
  std::string time = w.time_column < 0 ? "processing time" : fmt::format("#{}", w.time_column);
  switch (w.kind) {
    case WindowDef::Kind::kTumble: return fmt::format("TUMBLE({}, size {})", time, micros_text(w.size));
    case WindowDef::Kind::kHop:
      return fmt::format("HOP({}, size {}, slide {})", time, micros_text(w.size), micros_text(w.slide));
    case WindowDef::Kind::kSession:
      return fmt::format("SESSION({}, gap {}{})", time, micros_text(w.gap),
                         w.max_length > 0 ? ", max " + micros_text(w.max_length) : "");
  }
  return "?";
}

std::string join_exprs(const std::vector<BoundExprPtr>& exprs) {
  std::string s;
  for (size_t i = 0; i < exprs.size(); ++i) s += (i ? ", " : "") + exprs[i]->to_string();
  return s;
}
const char* join_name(JoinKind k) {
  switch (k) {
    case JoinKind::kInner: return "INNER";
    case JoinKind::kLeft: return "LEFT";
    case JoinKind::kRight: return "RIGHT";
    case JoinKind::kFull: return "FULL";
    case JoinKind::kCross: return "CROSS";
  }
  return "?";
}
}  // namespace

std::string PlanNode::to_string(int indent) const {
  std::string pad(indent * 2, ' ');
  std::string line;
  switch (kind) {
    case PlanKind::kScan: {
      line = "Scan " + source->describe();
      std::vector<std::string> cols;
      if (!spec.projection.empty()) {
        for (int i : spec.projection) cols.push_back(scan_schema->field(i).name);
        line += "\n" + pad + "    columns: " + fmt::format("{}", fmt::join(cols, ", "));
      } else {
        line += "\n" + pad + "    columns: all";
      }
      if (!spec.predicates.empty()) {
        std::vector<std::string> preds;
        for (const auto& p : spec.predicates) preds.push_back(p.to_string(scan_schema->field(p.column).name));
        line += "\n" + pad + "    pushed filters: " + fmt::format("{}", fmt::join(preds, " AND "));
      }
      if (spec.limit >= 0) line += "\n" + pad + "    pushed limit: " + std::to_string(spec.limit);
      break;
    }
    case PlanKind::kValues: line = "Values (1 row)"; break;
    case PlanKind::kFilter: line = "Filter " + predicate->to_string(); break;
    case PlanKind::kProject: {
      std::vector<std::string> items;
      for (size_t i = 0; i < exprs.size(); ++i) {
        std::string e = exprs[i]->to_string();
        items.push_back(e == schema->field(i).name ? e : e + " AS " + schema->field(i).name);
      }
      line = "Project " + fmt::format("{}", fmt::join(items, ", "));
      break;
    }
    case PlanKind::kAggregate: {
      std::vector<std::string> aggs;
      for (const auto& a : aggregates) aggs.push_back(a.name);
      line = "HashAggregate";
      if (!groups.empty()) line += " group by [" + join_exprs(groups) + "]";
      line += " aggregates [" + fmt::format("{}", fmt::join(aggs, ", ")) + "]";
      if (session) line += " " + window_text(window);
      if (emit_changes) line += " emit changes";
      if (emit_final) line += " emit final";
      break;
    }
    case PlanKind::kWindow: line = "Window " + window_text(window); break;
    case PlanKind::kJoin: {
      line = fmt::format("HashJoin {}", join_name(join_kind));
      for (size_t i = 0; i < left_keys.size(); ++i)
        line += fmt::format("{} {} = {}", i ? " AND" : " on", left_keys[i]->to_string(), right_keys[i]->to_string());
      if (residual) line += " filter " + residual->to_string();
      break;
    }
    case PlanKind::kSort: {
      std::vector<std::string> keys;
      for (const auto& k : sort_keys) keys.push_back(k.expr->to_string() + (k.descending ? " DESC" : ""));
      line = (limit >= 0 ? "TopN " + std::to_string(limit) + " " : std::string("Sort ")) +
             fmt::format("{}", fmt::join(keys, ", "));
      break;
    }
    case PlanKind::kLimit:
      line = "Limit " + std::to_string(limit) + (offset ? " offset " + std::to_string(offset) : "");
      break;
    case PlanKind::kUnion: line = "UnionAll"; break;
    case PlanKind::kWindowFunction: {
      std::vector<std::string> names;
      for (const auto& w : window_exprs) names.push_back(w.name);
      line = "WindowFunctions [" + fmt::format("{}", fmt::join(names, ", ")) + "]";
      break;
    }
  }
  std::string out = pad + line + "\n";
  for (const auto& c : children) out += c->to_string(indent + 1);
  return out;
}

}  // namespace velo::sql
