#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace velo {

/// Options of a source, sink or format: the `WITH (...)` list or a YAML config entry.
/// Keys are case-insensitive (stored lower-case); values are text as the user wrote them.
/// Every getter marks the key as used, so `check_all_used` can reject unknown options instead of
/// silently ignoring a typo.
class Options {
 public:
  Options() = default;
  void set(std::string key, std::string value);
  bool has(const std::string& key) const;
  bool empty() const { return values_.empty(); }

  std::optional<std::string> get(const std::string& key) const;
  std::string get_string(const std::string& key, const std::string& fallback) const;
  int64_t get_int(const std::string& key, int64_t fallback) const;
  double get_double(const std::string& key, double fallback) const;
  bool get_bool(const std::string& key, bool fallback) const;
  /// Sizes with units: "64MB", "1 GiB", "4096".
  int64_t get_bytes(const std::string& key, int64_t fallback) const;
  /// Durations: "5 minutes", "30s", "500ms" -> microseconds.
  int64_t get_duration_us(const std::string& key, int64_t fallback) const;
  /// Marks a key as understood without reading it (options a later layer consumes).
  void mark_used(const std::string& key) const { record_use(lower(key)); }
  /// Options whose key starts with `prefix` (prefix removed), marked used: e.g. "kafka.".
  std::map<std::string, std::string> with_prefix(const std::string& prefix) const;

  /// Throws a user error naming the first unknown option and the known ones, e.g.
  /// "unknown option 'delimeter' for csv source (did you mean 'delimiter'?)".
  void check_all_used(const std::string& context) const;

  /// A copy for one WITH list that several readers share (`INTO 'a.csv', 'kafka://...' WITH
  /// (...)`): its check_all_used() does nothing and every key it reads also counts as used here,
  /// so the caller checks this object once after all readers have seen their copies.
  Options deferred_copy() const;

  const std::map<std::string, std::string>& all() const { return values_; }
  /// "key = 'value', ..." with secret-looking values (password, secret, token, key) masked.
  std::string to_display_string() const;

  static std::string lower(std::string s);

 private:
  void record_use(const std::string& key) const {
    used_.insert(key);
    if (shared_used_) shared_used_->insert(key);
  }

  std::map<std::string, std::string> values_;
  mutable std::set<std::string> used_;
  /// Keys read through deferred copies; shared between this object and its copies.
  mutable std::shared_ptr<std::set<std::string>> shared_used_;
  bool deferred_ = false;
};

/// Levenshtein-nearest candidate to `name` within a small distance, or "" (for "did you mean").
std::string nearest_name(const std::string& name, const std::vector<std::string>& candidates);

}  // namespace velo
