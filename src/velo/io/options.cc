#include "velo/io/options.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "velo/types/error.h"
#include "velo/types/temporal.h"

namespace velo {

std::string Options::lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

void Options::set(std::string key, std::string value) { values_[lower(std::move(key))] = std::move(value); }

bool Options::has(const std::string& key) const { return values_.count(lower(key)) > 0; }

std::optional<std::string> Options::get(const std::string& key) const {
  std::string k = lower(key);
  auto it = values_.find(k);
  if (it == values_.end()) return std::nullopt;
  record_use(k);
  return it->second;
}

std::string Options::get_string(const std::string& key, const std::string& fallback) const {
  auto v = get(key);
  return v ? *v : fallback;
}

int64_t Options::get_int(const std::string& key, int64_t fallback) const {
  auto v = get(key);
  if (!v) return fallback;
  char* end = nullptr;
  long long n = std::strtoll(v->c_str(), &end, 10);
  if (v->empty() || *end != '\0') throw_user_error("option '{}' must be an integer, got '{}'", key, *v);
  return n;
}

double Options::get_double(const std::string& key, double fallback) const {
  auto v = get(key);
  if (!v) return fallback;
  char* end = nullptr;
  double d = std::strtod(v->c_str(), &end);
  if (v->empty() || *end != '\0') throw_user_error("option '{}' must be a number, got '{}'", key, *v);
  return d;
}

bool Options::get_bool(const std::string& key, bool fallback) const {
  auto v = get(key);
  if (!v) return fallback;
  std::string s = lower(*v);
  if (s == "true" || s == "1" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "0" || s == "no" || s == "off") return false;
  throw_user_error("option '{}' must be true or false, got '{}'", key, *v);
}

int64_t Options::get_bytes(const std::string& key, int64_t fallback) const {
  auto v = get(key);
  if (!v) return fallback;
  char* end = nullptr;
  double n = std::strtod(v->c_str(), &end);
  std::string unit = lower(std::string(end));
  unit.erase(std::remove(unit.begin(), unit.end(), ' '), unit.end());
  double mult = 1;
  if (unit.empty() || unit == "b") mult = 1;
  else if (unit == "kb" || unit == "k" || unit == "kib") mult = 1024;
  else if (unit == "mb" || unit == "m" || unit == "mib") mult = 1024.0 * 1024;
  else if (unit == "gb" || unit == "g" || unit == "gib") mult = 1024.0 * 1024 * 1024;
  else throw_user_error("option '{}' must be a size like '64MB', got '{}'", key, *v);
  return static_cast<int64_t>(n * mult);
}

int64_t Options::get_duration_us(const std::string& key, int64_t fallback) const {
  auto v = get(key);
  if (!v) return fallback;
  Interval iv;
  if (!temporal::parse_interval(*v, &iv) || iv.months != 0)
    throw_user_error("option '{}' must be a duration like '5 minutes' or '30s', got '{}'", key, *v);
  return iv.days * temporal::kMicrosPerDay + iv.micros;
}

std::map<std::string, std::string> Options::with_prefix(const std::string& prefix) const {
  std::map<std::string, std::string> out;
  std::string p = lower(prefix);
  for (const auto& [k, v] : values_) {
    if (k.rfind(p, 0) == 0) {
      out[k.substr(p.size())] = v;
      record_use(k);
    }
  }
  return out;
}

Options Options::deferred_copy() const {
  if (!shared_used_) shared_used_ = std::make_shared<std::set<std::string>>();
  Options copy = *this;
  copy.deferred_ = true;
  return copy;
}

void Options::check_all_used(const std::string& context) const {
  if (deferred_) return;
  std::set<std::string> used = used_;
  if (shared_used_) used.insert(shared_used_->begin(), shared_used_->end());
  std::vector<std::string> known(used.begin(), used.end());
  for (const auto& [k, v] : values_) {
    if (used.count(k)) continue;
    std::string hint = nearest_name(k, known);
    throw_user_error("unknown option '{}' for {}{}", k, context,
                     hint.empty() ? "" : " (did you mean '" + hint + "'?)");
  }
}

std::string Options::to_display_string() const {
  std::string s;
  for (const auto& [k, v] : values_) {
    if (!s.empty()) s += ", ";
    bool secret = k.find("password") != std::string::npos || k.find("secret") != std::string::npos ||
                  k.find("token") != std::string::npos || k.find("key") != std::string::npos;
    s += k + " = '" + (secret && k != "key" ? std::string("***") : v) + "'";
  }
  return s;
}

std::string nearest_name(const std::string& name, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_d = std::max<size_t>(2, name.size() / 3) + 1;
  std::string a = Options::lower(name);
  for (const auto& cand : candidates) {
    std::string b = Options::lower(cand);
    std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
      cur[0] = i;
      for (size_t j = 1; j <= b.size(); ++j)
        cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
      std::swap(prev, cur);
    }
    if (prev[b.size()] < best_d) {
      best_d = prev[b.size()];
      best = cand;
    }
  }
  return best;
}

}  // namespace velo
