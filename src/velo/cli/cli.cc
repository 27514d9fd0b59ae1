#include "velo/cli/cli.h"

#include <fmt/format.h>
#include <readline/history.h>
#include <readline/readline.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "velo/connectors/kafka/dev_broker.h"
#include "velo/connectors/registry.h"
#include "velo/runtime/engine.h"
#include "velo/runtime/result_printer.h"
#include "velo/sql/parser/parser.h"
#include "velo/sql/parser/sql_error.h"
#include "velo/types/error.h"
#include "velo/types/temporal.h"

namespace velo::cli {

namespace {

constexpr const char* kVersion = "0.1.0";

constexpr const char* kMainHelp =
    R"(velo — one binary, one SQL statement: read any source, transform with SQL, write any sink.

Usage:
  velo query SQL        run a query and print its result as a table
  velo run FILE.sql     run every statement of a SQL file (jobs with INTO, queries)
  velo explain SQL      show the plan and what each source was asked to do
  velo schema URI       show the schema velostream discovers for a source
  velo shell            interactive SQL prompt with history and multi-line input
  velo dev kafka        start a development Kafka cluster (librdkafka's mock broker)
  velo version          print the version

Common options:
  --threads N           worker threads (default: number of cores)
  --format FMT          result format for queries: table (default), csv, json
  --config FILE         YAML config with data_sources, data_sinks, default_kafka
                        (also VELO_CONFIG); values may use ${ENV} and ${ENV:-default}
  --default-kafka H:P   Kafka cluster that unqualified names (FROM orders) refer to
                        (also VELO_DEFAULT_KAFKA)
  -h, --help            help for a command: velo query --help

Examples:
  velo query "SELECT station, MIN(t), AVG(t), MAX(t) FROM 'file:///data/*.csv' GROUP BY station ORDER BY station"
  velo run job.sql
  velo schema 'data/orders.parquet'
)";

constexpr const char* kQueryHelp =
    R"(velo query SQL [--format table|csv|json] [--threads N] [--max-rows N]

Runs one or more statements and prints each query's result. Sources are URIs in quotes:
  FROM 'file:///data/*.csv'        CSV, JSON Lines, JSON, Parquet (by extension or WITH (format=...))
  FROM 'kafka://host:9092/topic' WITH (until = 'latest')
Statements with INTO write to sinks instead and print a summary line.

  velo query "SELECT COUNT(*) FROM 'logs/**/*.jsonl.gz' WHERE level = 'error'"
  velo query --format csv "SELECT * FROM 'a.csv' LIMIT 10"
)";

constexpr const char* kRunHelp = R"(velo run FILE.sql [--threads N] [--format table|csv|json]
                  [--state-dir DIR] [--checkpoint-interval DURATION]

Runs every statement of FILE.sql in order. A `-- @name: label` comment before a statement names
it in the output. Bounded jobs show a progress line on stderr (rows, MB/s, elapsed, % of input)
when stderr is a terminal. A failing statement stops the run with exit code 1; sinks of the
failed statement publish nothing.

Checkpoints: with --state-dir, every job that writes to a sink takes a checkpoint every
--checkpoint-interval (default 10s): source positions and window/aggregate state go to
DIR/job-N, and the sinks commit what was written up to it. After a crash, the same command
resumes each job from its last checkpoint: no row is lost and none is written twice. The end of
a job is a checkpoint too, so running a finished job again writes nothing new.

  -- @name: high_value_orders
  SELECT order_id, amount FROM 'data/orders/*.csv' WHERE amount > 500
  INTO 'out/high_value.jsonl';
)";

constexpr const char* kExplainHelp = R"(velo explain SQL

Shows the optimized plan: pushed-down columns, filters and limits per source, join keys,
aggregates. Nothing is read beyond what schema discovery needs.
)";

constexpr const char* kSchemaHelp = R"(velo schema URI [--option key=value ...]

Prints the schema velostream discovers for a source (file formats infer from a sample;
Parquet/Avro read their own schema; Kafka samples messages).

  velo schema 'data/*.csv' --option delimiter=';'
)";

constexpr const char* kShellHelp = R"(velo shell [--threads N] [--format FMT]

Interactive SQL. Statements end with ';' and may span lines. History is kept in ~/.velo_history.
Dot commands: .help  .format table|csv|json  .quit
)";

struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> flags;
  std::vector<std::string> options;  // --option k=v
  bool help = false;
};

// Flags that take a value.
bool takes_value(const std::string& f) {
  return f == "--threads" || f == "--format" || f == "--default-kafka" || f == "--option" ||
         f == "-o" || f == "--max-rows" || f == "--config" || f == "--state-dir" ||
         f == "--checkpoint-interval";
}

Args parse_args(int argc, char** argv, int start) {
  Args a;
  for (int i = start; i < argc; ++i) {
    std::string s = argv[i];
    if (s == "-h" || s == "--help") {
      a.help = true;
    } else if (s.rfind("--", 0) == 0 && s.find('=') != std::string::npos) {
      auto eq = s.find('=');
      std::string key = s.substr(0, eq), value = s.substr(eq + 1);
      if (key == "--option")
        a.options.push_back(value);
      else
        a.flags[key] = value;
    } else if (takes_value(s)) {
      if (i + 1 >= argc) throw Error(ErrorKind::kUser, "option " + s + " needs a value");
      std::string v = argv[++i];
      if (s == "--option" || s == "-o")
        a.options.push_back(v);
      else
        a.flags[s] = v;
    } else if (s.rfind("--", 0) == 0) {
      throw Error(ErrorKind::kUser, "unknown option " + s + " (see velo --help)");
    } else {
      a.positional.push_back(s);
    }
  }
  return a;
}

EngineOptions engine_options(const Args& a, bool progress) {
  EngineOptions o;
  if (a.flags.count("--threads")) o.parallelism = std::atoi(a.flags.at("--threads").c_str());
  if (const char* env = std::getenv("VELO_DEFAULT_KAFKA")) o.default_kafka = env;
  if (a.flags.count("--default-kafka")) o.default_kafka = a.flags.at("--default-kafka");
  if (a.flags.count("--config")) o.config_path = a.flags.at("--config");
  if (a.flags.count("--state-dir")) o.state_dir = a.flags.at("--state-dir");
  if (a.flags.count("--checkpoint-interval")) {
    const std::string& text = a.flags.at("--checkpoint-interval");
    Interval iv;
    bool ok = temporal::parse_interval(text, &iv) && iv.months == 0;
    int64_t us = iv.days * temporal::kMicrosPerDay + iv.micros;
    if (!ok || us <= 0)
      throw Error(ErrorKind::kUser,
                  "--checkpoint-interval '" + text + "' is not a positive duration (e.g. 30s)");
    o.checkpoint_interval_us = us;
  }
  o.progress = progress;
  return o;
}

ResultFormat result_format(const Args& a) {
  return a.flags.count("--format") ? parse_result_format(a.flags.at("--format"))
                                   : ResultFormat::kTable;
}

void report_error(const Error& e, std::string_view sql) {
  bool has_sql_position =
      e.location().file.empty() && (e.location().line > 0 || e.location().offset >= 0);
  if (!sql.empty() && has_sql_position) {
    fmt::print(stderr, "{}\n", sql::render_sql_error(sql, e));
  } else {
    fmt::print(stderr, "error: {}\n", e.describe());
  }
}

void print_statement_result(const sql::Statement& s, const StatementResult& r, ResultFormat format,
                            size_t max_rows) {
  std::string label = s.annotation.empty() ? "" : "[" + s.annotation + "] ";
  if (!r.message.empty()) {
    fmt::print(stderr, "{}{}\n", label, r.message);
  } else if (!r.explain.empty()) {
    fmt::print("{}", r.explain);
  } else if (!r.sinks.empty()) {
    fmt::print(stderr, "{}wrote {} rows to {} in {:.2f}s\n", label, r.rows_written,
               fmt::join(r.sinks, ", "), r.seconds);
  } else if (r.schema) {
    if (!label.empty() && format == ResultFormat::kTable) fmt::print("{}\n", label);
    print_result(*r.schema, r.batches, format, stdout, max_rows);
  }
  if (r.rows_rejected > 0)
    fmt::print(stderr, "{}skipped {} malformed rows (on_error = 'skip')\n", label, r.rows_rejected);
  if (!r.late_summary.empty()) fmt::print(stderr, "{}{}\n", label, r.late_summary);
  std::fflush(stdout);
}

// Runs `sql` (one or more statements) and prints results; returns an exit code.
int run_sql(Engine& engine, std::string_view sql, ResultFormat format, size_t max_rows) {
  const sql::Statement* current = nullptr;
  try {
    auto statements = sql::parse_script(sql);
    for (const auto& s : statements) {
      current = s.get();
      StatementResult r = engine.execute(*s);
      print_statement_result(*s, r, format, max_rows);
    }
  } catch (const Error& e) {
    // Positions are relative to the whole script text the parser saw.
    report_error(e, sql);
    (void)current;
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  }
  return 0;
}

int cmd_query(const Args& a) {
  if (a.help) return fmt::print("{}", kQueryHelp), 0;
  if (a.positional.size() != 1)
    throw Error(ErrorKind::kUser, "velo query takes one SQL argument (see velo query --help)");
  Engine engine(engine_options(a, true));
  size_t max_rows = a.flags.count("--max-rows") ? std::stoul(a.flags.at("--max-rows")) : 1000;
  return run_sql(engine, a.positional[0], result_format(a), max_rows);
}

int cmd_run(const Args& a) {
  if (a.help) return fmt::print("{}", kRunHelp), 0;
  if (a.positional.size() != 1)
    throw Error(ErrorKind::kUser, "velo run takes one FILE.sql (see velo run --help)");
  std::ifstream in(a.positional[0]);
  if (!in) throw Error(ErrorKind::kIo, "cannot read " + a.positional[0]);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string sql = ss.str();
  Engine engine(engine_options(a, true));
  try {
    auto statements = sql::parse_script(sql);
    for (const auto& s : statements) {
      StatementResult r = engine.execute(*s);
      print_statement_result(*s, r, result_format(a), 1000);
    }
  } catch (const Error& e) {
    bool has_sql_position = e.location().file.empty() && e.location().line > 0;
    if (has_sql_position)
      fmt::print(stderr, "{}: {}\n", a.positional[0], sql::render_sql_error(sql, e));
    else
      fmt::print(stderr, "error: {}\n", e.describe());
    return 1;
  }
  return 0;
}

int cmd_explain(const Args& a) {
  if (a.help) return fmt::print("{}", kExplainHelp), 0;
  if (a.positional.size() != 1)
    throw Error(ErrorKind::kUser, "velo explain takes one SQL argument");
  Engine engine(engine_options(a, false));
  std::string_view sql = a.positional[0];
  try {
    auto s = sql::parse_statement(sql);
    fmt::print("{}", engine.explain(*s));
  } catch (const Error& e) {
    report_error(e, sql);
    return 1;
  }
  return 0;
}

int cmd_schema(const Args& a) {
  if (a.help) return fmt::print("{}", kSchemaHelp), 0;
  if (a.positional.size() != 1) throw Error(ErrorKind::kUser, "velo schema takes one URI");
  initialize_velostream();
  Options options;
  for (const auto& kv : a.options) {
    auto eq = kv.find('=');
    if (eq == std::string::npos)
      throw Error(ErrorKind::kUser, "--option needs key=value, got " + kv);
    options.set(kv.substr(0, eq), kv.substr(eq + 1));
  }
  try {
    auto source = make_source(a.positional[0], options);
    SchemaPtr schema = source->schema();
    Schema out(
        {Field{"column", DataType::string(), false}, Field{"type", DataType::string(), false}});
    Batch b = Batch::empty(std::make_shared<const Schema>(out));
    for (const auto& f : schema->fields()) {
      b.columns[0]->append_string(f.name);
      b.columns[1]->append_string(f.type.to_string());
      ++b.num_rows;
    }
    print_result(out, {b}, result_format(a), stdout, 100000);
  } catch (const Error& e) {
    fmt::print(stderr, "error: {}\n", e.describe());
    return 1;
  }
  return 0;
}

int cmd_shell(const Args& a) {
  if (a.help) return fmt::print("{}", kShellHelp), 0;
  Engine engine(engine_options(a, true));
  ResultFormat format = result_format(a);
  std::string history =
      std::string(std::getenv("HOME") ? std::getenv("HOME") : ".") + "/.velo_history";
  read_history(history.c_str());
  bool tty = isatty(STDIN_FILENO);
  if (tty)
    fmt::print("velostream {} — statements end with ';', .help for help, .quit to leave\n",
               kVersion);
  std::string buffer;
  while (true) {
    char* raw = readline(tty ? (buffer.empty() ? "velo> " : "  ... ") : "");
    if (!raw) break;
    std::string line = raw;
    std::free(raw);
    if (buffer.empty() && !line.empty() && line[0] == '.') {
      if (line == ".quit" || line == ".exit") break;
      if (line == ".help")
        fmt::print("{}", kShellHelp);
      else if (line.rfind(".format ", 0) == 0) {
        try {
          format = parse_result_format(line.substr(8));
        } catch (const Error& e) {
          fmt::print(stderr, "error: {}\n", e.message());
        }
      } else
        fmt::print(stderr, "unknown command {} (try .help)\n", line);
      continue;
    }
    buffer += line + "\n";
    auto last = line.find_last_not_of(" \t");
    if (last == std::string::npos || line[last] != ';') continue;
    if (tty) add_history(buffer.substr(0, buffer.size() - 1).c_str());
    run_sql(engine, buffer, format, 1000);
    buffer.clear();
  }
  if (!buffer.empty() && buffer.find_first_not_of(" \t\n") != std::string::npos)
    run_sql(engine, buffer, format, 1000);
  write_history(history.c_str());
  return 0;
}

int cmd_dev(int argc, char** argv) {
  std::vector<std::string> args;
  for (int i = 2; i < argc; ++i) args.push_back(argv[i]);
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    fmt::print(
        "velo dev kafka [--brokers N] [--topic name:partitions]... [--bootstrap-file F]\n\n"
        "Starts a development Kafka cluster (librdkafka's mock broker) on 127.0.0.1 and prints "
        "its\n"
        "bootstrap address. Runs until interrupted.\n");
    return args.empty() ? 2 : 0;
  }
  if (args[0] != "kafka")
    throw Error(ErrorKind::kUser, "unknown dev service '" + args[0] + "' (available: kafka)");
  args.erase(args.begin());
  return run_dev_kafka(args);
}

}  // namespace

int main(int argc, char** argv) {
  std::setlocale(LC_NUMERIC, "C");
  if (argc < 2) {
    fmt::print(stderr, "{}", kMainHelp);
    return 2;
  }
  // Common options may come before the command (`velo --config v.yaml query ...`): move them
  // behind it, where every command parses them.
  std::vector<char*> reordered(argv, argv + argc);
  size_t first = 1;
  while (first < reordered.size() && std::string(reordered[first]).rfind("--", 0) == 0 &&
         std::string(reordered[first]) != "--help" &&
         std::string(reordered[first]) != "--version") {
    bool has_value = std::string(reordered[first]).find('=') == std::string::npos &&
                     takes_value(reordered[first]) && first + 1 < reordered.size();
    first += has_value ? 2 : 1;
  }
  if (first > 1 && first < reordered.size()) {
    std::rotate(reordered.begin() + 1, reordered.begin() + static_cast<std::ptrdiff_t>(first),
                reordered.begin() + static_cast<std::ptrdiff_t>(first) + 1);
    argv = reordered.data();
  }
  std::string cmd = argv[1];
  try {
    if (cmd == "-h" || cmd == "--help" || cmd == "help") return fmt::print("{}", kMainHelp), 0;
    if (cmd == "version" || cmd == "--version") return fmt::print("velostream {}\n", kVersion), 0;
    if (cmd == "dev") return cmd_dev(argc, argv);
    Args a = parse_args(argc, argv, 2);
    if (cmd == "query") return cmd_query(a);
    if (cmd == "run") return cmd_run(a);
    if (cmd == "explain") return cmd_explain(a);
    if (cmd == "schema") return cmd_schema(a);
    if (cmd == "shell") return cmd_shell(a);
    fmt::print(stderr, "unknown command '{}'\n\n{}", cmd, kMainHelp);
    return 2;
  } catch (const Error& e) {
    fmt::print(stderr, "error: {}\n", e.describe());
    return e.kind() == ErrorKind::kUser ? 2 : 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  }
}

}  // namespace velo::cli
