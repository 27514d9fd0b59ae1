// Runs streaming semantics tests (tests/stream/*.stest, format in STYLE.md) against the engine.
//
//   statement ok | statement error <substring>
//   <sql up to a line ending in ';' or a blank line>
//   ingest <source> [partition=N]          JSON Lines rows follow, one batch per ingest
//   idle <source> partition=N | active <source> partition=N
//   end <source>                           the source has no more rows (bounded from here)
//   advance <duration>                     moves the injected processing-time clock
//   file <name>                            the lines that follow become file __TMP__/<name>
//                                          (written whole, then renamed into place); __TMP__ in
//                                          statements is this file's scratch directory
//   expect <sink> empty
//   expect <sink> [rowsort]                then `----` and the expected changelog rows:
//   ----                                   row kind (+I -U +U -D) then the values, tab-separated
//   expect <sink> committed [rowsort]      every row the sink committed so far (what a reader
//                                          of committed data sees), not just the new ones
//   expect counter <name> <value>          late_rows_dropped | late_rows_updated |
//                                          late_rows_dead_lettered | checkpoints
//   checkpoint                             every running job takes a checkpoint (barriers flow
//                                          through the plan; sinks prepare and commit)
//   checkpoint error <substring>           a running job refuses checkpoints for that reason
//   restart                                kills the running jobs (a crash: nothing uncommitted
//                                          survives) and replays every statement on a fresh
//                                          engine; jobs resume from their last checkpoint
//
// Every file runs with its own state directory, so any job with a sink can checkpoint.
//
// Before each `expect` the runner steps every running job until its sources have nothing more.
// `#` starts a comment (whole line, or after a command). Clocks are injected: nothing sleeps.
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "velo/connectors/test/test_connector.h"
#include "velo/runtime/engine.h"
#include "velo/runtime/job.h"
#include "velo/sql/parser/parser.h"
#include "velo/sql/parser/sql_error.h"
#include "velo/time/clock.h"
#include "velo/types/error.h"
#include "velo/types/temporal.h"

namespace fs = std::filesystem;

namespace {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

std::string strip_comment(const std::string& s) {
  size_t h = s.find(" #");
  return trim(h == std::string::npos ? s : s.substr(0, h));
}

std::vector<std::string> words(const std::string& s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

bool is_command(const std::string& line) {
  static const char* kCommands[] = {"statement", "ingest", "idle",    "active",     "end",
                                    "advance",   "expect", "restart", "checkpoint", "file"};
  std::vector<std::string> w = words(line);
  if (w.empty()) return false;
  for (const char* c : kCommands)
    if (w[0] == c) return true;
  return false;
}

int partition_arg(const std::vector<std::string>& w) {
  for (const auto& x : w)
    if (x.rfind("partition=", 0) == 0) return std::stoi(x.substr(10));
  return 0;
}

std::vector<std::string> format_rows(const std::vector<velo::Batch>& batches) {
  std::vector<std::string> rows;
  for (const auto& b : batches)
    for (size_t i = 0; i < b.num_rows; ++i) {
      std::string row = velo::row_kind_symbol(b.row_kind(i));
      for (size_t c = 0; c < b.columns.size(); ++c) {
        std::string v = b.columns[c]->value_at(i).to_string();
        if (v.empty()) v = "(empty)";
        row += '\t' + v;
      }
      rows.push_back(row);
    }
  return rows;
}

struct FileRun {
  std::string file;
  std::vector<std::string> lines;
  size_t pos = 0;
  int passed = 0;
  int failed = 0;
  std::shared_ptr<velo::ManualClock> clock = std::make_shared<velo::ManualClock>(0);
  std::unique_ptr<velo::Engine> engine;
  std::vector<std::string> statements;  // every successful statement, for restart
  std::string state_dir;

  void make_engine() {
    velo::EngineOptions options;
    options.parallelism = 1;
    options.clock = clock;
    options.state_dir = state_dir;
    options.checkpoint_interval_us = 0;  // only on `checkpoint`
    options.detach_streaming_jobs = true;
    options.default_sink_template = "test://{name}";
    engine = std::make_unique<velo::Engine>(options);
  }

  void fail(int line, const std::string& why) {
    ++failed;
    fmt::print(stderr, "FAIL {}:{}\n{}\n", file, line, why);
  }

  std::string scratch_dir() const { return state_dir + "/files"; }

  // Runs one SQL text; returns the error text (empty on success).
  std::string run_sql(const std::string& text) {
    std::string sql = text;
    for (size_t at; (at = sql.find("__TMP__")) != std::string::npos;)
      sql.replace(at, 7, scratch_dir());
    try {
      for (const auto& s : velo::sql::parse_script(sql)) engine->execute(*s);
      return "";
    } catch (const velo::Error& e) {
      bool in_sql = e.location().file.empty() && e.location().line > 0;
      return in_sql ? velo::sql::render_sql_error(sql, e) : e.describe();
    } catch (const std::exception& e) {
      return e.what();
    }
  }

  // Steps the jobs until they are drained; a job error fails the current command.
  std::string drain() {
    try {
      for (int i = 0; i < 3; ++i) engine->step_jobs();  // timers fire on the heartbeats
      return "";
    } catch (const velo::Error& e) {
      return e.describe();
    }
  }

  std::vector<std::string> block() {
    // Lines up to a blank line or the next command.
    std::vector<std::string> out;
    while (pos < lines.size()) {
      std::string t = trim(lines[pos]);
      if (t.empty() || is_command(t)) break;
      if (t[0] != '#') out.push_back(lines[pos]);
      ++pos;
    }
    return out;
  }

  void run() {
    make_engine();
    while (pos < lines.size()) {
      int line_no = static_cast<int>(pos + 1);
      std::string cmd = strip_comment(lines[pos]);
      ++pos;
      if (cmd.empty() || cmd[0] == '#') continue;
      std::vector<std::string> w = words(cmd);
      try {
        if (w[0] == "statement") {
          std::string sql;
          while (pos < lines.size()) {
            std::string t = trim(lines[pos]);
            if (t.empty()) break;
            sql += lines[pos++] + "\n";
            if (t.back() == ';') break;
          }
          std::string error = run_sql(sql);
          if (w.size() > 1 && w[1] == "error") {
            std::string want = trim(cmd.substr(cmd.find("error") + 5));
            if (error.empty())
              fail(line_no, "statement succeeded but an error was expected:\n" + sql);
            else if (error.find(want) == std::string::npos)
              fail(line_no, fmt::format("error does not contain '{}':\n{}", want, error));
            else
              ++passed;
          } else if (!error.empty()) {
            fail(line_no, "unexpected error:\n" + error);
          } else {
            statements.push_back(sql);
            ++passed;
          }
        } else if (w[0] == "ingest") {
          std::vector<std::string> rows = block();
          velo::TestStreams::instance().ingest(velo::Options::lower(w.at(1)), partition_arg(w),
                                               rows);
        } else if (w[0] == "idle" || w[0] == "active") {
          velo::TestStreams::instance().set_idle(velo::Options::lower(w.at(1)), partition_arg(w),
                                                 w[0] == "idle");
        } else if (w[0] == "file") {
          std::vector<std::string> content = block();
          fs::create_directories(scratch_dir());
          std::string path = scratch_dir() + "/" + w.at(1);
          {
            std::ofstream f(path + ".tmp");
            for (const auto& l : content) f << trim(l) << "\n";
          }
          fs::rename(path + ".tmp", path);
        } else if (w[0] == "end") {
          velo::TestStreams::instance().end(velo::Options::lower(w.at(1)));
        } else if (w[0] == "advance") {
          velo::Interval iv;
          std::string text = cmd.substr(cmd.find(' ') + 1);
          if (!velo::temporal::parse_interval(text, &iv))
            throw std::runtime_error("bad duration: " + text);
          clock->advance(iv.days * velo::temporal::kMicrosPerDay + iv.micros);
        } else if (w[0] == "restart") {
          // A crash: jobs die without committing; the statements that started them run again.
          engine->kill_jobs();
          make_engine();
          for (size_t i = 0; i < statements.size(); ++i) {
            std::string error = run_sql(statements[i]);
            if (!error.empty()) fail(line_no, "restart: statement failed:\n" + error);
          }
        } else if (w[0] == "checkpoint") {
          checkpoint(line_no, cmd);
        } else if (w[0] == "expect") {
          run_expect(line_no, w);
        } else {
          fail(line_no, "unknown command: " + cmd);
        }
      } catch (const std::exception& e) {
        fail(line_no, std::string("error: ") + e.what());
        // Skip the rest of this record.
        block();
      }
    }
  }

  // Every running job takes a checkpoint; steps until each completed it.
  // `checkpoint error <text>`: some job refuses checkpoints with a reason containing <text>.
  void checkpoint(int line_no, const std::string& cmd) {
    std::string want;
    if (size_t e = cmd.find(" error "); e != std::string::npos) want = trim(cmd.substr(e + 7));
    // What was ingested before the command belongs to the checkpoint.
    if (std::string error = drain(); !error.empty())
      return fail(line_no, "checkpoint: job failed: " + error);
    bool any = false;
    for (const auto& j : engine->jobs()) {
      if (j->finished()) continue;
      if (!j->trigger_checkpoint()) {
        const std::string& why = j->checkpoints_off_reason();
        if (!want.empty() && why.find(want) != std::string::npos) {
          ++passed;
          return;
        }
        return fail(line_no, "checkpoint: a running job takes no checkpoints: " + why);
      }
      any = true;
    }
    if (!want.empty()) return fail(line_no, "checkpoint succeeded but an error was expected");

    if (!any) return fail(line_no, "checkpoint: no job is running");
    for (int round = 0; round < 100; ++round) {
      bool pending = false;
      for (const auto& j : engine->jobs()) pending |= !j->finished() && j->checkpoint_pending();
      if (!pending) {
        ++passed;
        return;
      }
      std::string error = drain();
      if (!error.empty()) return fail(line_no, "checkpoint: job failed: " + error);
    }
    fail(line_no, "checkpoint: the barrier did not reach the end of the plan");
  }

  void run_expect(int line_no, const std::vector<std::string>& w) {
    std::string error = drain();
    if (w.at(1) == "counter") {
      if (!error.empty()) return fail(line_no, "job failed: " + error);
      int64_t value = 0;
      for (const auto& j : engine->jobs()) {
        auto& c = j->context();
        if (w.at(2) == "late_rows_dropped")
          value += c.late_rows_dropped;
        else if (w[2] == "late_rows_updated")
          value += c.late_rows_updated;
        else if (w[2] == "late_rows_dead_lettered")
          value += c.late_rows_dead_lettered;
        else if (w[2] == "checkpoints")
          value += j->checkpoints_completed();
        else
          return fail(line_no, "unknown counter " + w[2]);
      }
      if (value == std::stoll(w.at(3)))
        ++passed;
      else
        fail(line_no, fmt::format("counter {} is {}, expected {}", w[2], value, w[3]));
      return;
    }
    if (w.size() > 2 && w[2] == "error") {
      std::string want;
      for (size_t i = 3; i < w.size(); ++i) want += (want.empty() ? "" : " ") + w[i];
      if (error.empty())
        fail(line_no, "the job ran without the expected error");
      else if (error.find(want) == std::string::npos)
        fail(line_no, fmt::format("job error does not contain '{}': {}", want, error));
      else
        ++passed;
      return;
    }
    bool committed = w.size() > 2 && w[2] == "committed";
    size_t mode = committed ? 3 : 2;
    std::string sink = velo::Options::lower(w.at(1));
    std::vector<std::string> got =
        format_rows(committed ? velo::TestStreams::instance().committed(sink)
                              : velo::TestStreams::instance().take_written(sink));
    std::vector<std::string> expected;
    bool empty = w.size() > mode && w[mode] == "empty";
    bool rowsort = w.size() > mode && w[mode] == "rowsort";
    if (!empty) {
      if (pos >= lines.size() || trim(lines[pos]) != "----")
        return fail(line_no, "expect needs a ---- line");
      ++pos;
      while (pos < lines.size() && !trim(lines[pos]).empty() && !is_command(trim(lines[pos]))) {
        if (trim(lines[pos])[0] != '#') expected.push_back(lines[pos]);
        ++pos;
      }
    }
    if (!error.empty()) return fail(line_no, "job failed: " + error);
    for (auto& e : expected) e = trim(e);
    if (rowsort) {
      std::sort(got.begin(), got.end());
      std::sort(expected.begin(), expected.end());
    }
    if (got == expected) {
      ++passed;
      return;
    }
    std::string why = "changelog differs\n-- expected:\n";
    for (const auto& e : expected) why += e + "\n";
    why += "-- got:\n";
    for (const auto& g : got) why += g + "\n";
    fail(line_no, why);
  }
};

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  std::string l;
  while (std::getline(in, l)) lines.push_back(l);
  return lines;
}

}  // namespace

int main(int argc, char** argv) {
  velo::initialize_velostream();
  velo::register_test_connector();
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (fs::is_directory(a)) {
      for (const auto& e : fs::recursive_directory_iterator(a))
        if (e.path().extension() == ".stest") files.push_back(e.path().string());
    } else {
      files.push_back(a);
    }
  }
  std::sort(files.begin(), files.end());
  int passed = 0, failed = 0;
  for (const auto& f : files) {
    velo::TestStreams::instance().reset();
    FileRun run;
    run.file = f;
    run.lines = read_lines(f);
    char dir[] = "/tmp/velo-stest-state.XXXXXX";
    if (!mkdtemp(dir)) {
      fmt::print(stderr, "cannot create a state directory\n");
      return 1;
    }
    run.state_dir = dir;
    run.run();
    fs::remove_all(dir);
    passed += run.passed;
    failed += run.failed;
  }
  fmt::print("stest: {} passed, {} failed, {} files\n", passed, failed, files.size());
  return failed == 0 && passed > 0 ? 0 : 1;
}
