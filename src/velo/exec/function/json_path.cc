#include "velo/exec/function/json_path.h"

#include <charconv>

#include "velo/types/error.h"

namespace velo {

namespace {

[[noreturn]] void bad_path(std::string_view text, std::string_view why) {
  throw_user_error("invalid JSON path '{}': {}", text, why);
}

bool parse_int(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

JsonPath JsonPath::key(std::string_view key) {
  JsonPath p;
  p.text_.assign(key);
  p.steps_.push_back({Step::kKey, std::string(key), 0});
  return p;
}

JsonPath JsonPath::index(int64_t index) {
  JsonPath p;
  p.text_ = std::to_string(index);
  p.steps_.push_back({Step::kIndex, {}, index});
  return p;
}

JsonPath JsonPath::parse(std::string_view text) {
  if (text.empty() || (text[0] != '$' && text[0] != '/')) return key(text);
  JsonPath p;
  p.text_.assign(text);
  if (text[0] == '/') {
    // JSON pointer: '/a/0', '~1' is '/', '~0' is '~'.
    size_t pos = 1;
    while (true) {
      size_t end = text.find('/', pos);
      std::string_view raw = text.substr(pos, end == std::string_view::npos ? end : end - pos);
      std::string token;
      for (size_t k = 0; k < raw.size(); ++k) {
        if (raw[k] == '~' && k + 1 < raw.size() && (raw[k + 1] == '0' || raw[k + 1] == '1')) {
          token.push_back(raw[k + 1] == '0' ? '~' : '/');
          ++k;
        } else {
          token.push_back(raw[k]);
        }
      }
      p.steps_.push_back({Step::kPointer, std::move(token), 0});
      if (end == std::string_view::npos) break;
      pos = end + 1;
    }
    return p;
  }
  size_t i = 1;
  while (i < text.size()) {
    char c = text[i];
    if (c == '.') {
      ++i;
      if (i >= text.size()) bad_path(text, "a key is missing after '.'");
      if (text[i] == '*') throw_not_supported("JSON path wildcards ('{}')", text);
      std::string key;
      if (text[i] == '"') {
        size_t close = text.find('"', i + 1);
        if (close == std::string_view::npos) bad_path(text, "unterminated quoted key");
        key.assign(text.substr(i + 1, close - i - 1));
        i = close + 1;
      } else {
        size_t start = i;
        while (i < text.size() && text[i] != '.' && text[i] != '[') ++i;
        key.assign(text.substr(start, i - start));
        if (key.empty()) bad_path(text, "empty key");
      }
      p.steps_.push_back({Step::kKey, std::move(key), 0});
    } else if (c == '[') {
      size_t close = text.find(']', i);
      if (close == std::string_view::npos) bad_path(text, "missing ']'");
      std::string_view inner = text.substr(i + 1, close - i - 1);
      int64_t index = 0;
      if (inner == "*") throw_not_supported("JSON path wildcards ('{}')", text);
      if (!inner.empty() && inner[0] == '#') {
        // [#-n]: n-th element from the end; [#] alone is one past the end.
        std::string_view rest = inner.substr(1);
        if (rest.empty())
          index = INT64_MIN;
        else if (rest[0] != '-' || !parse_int(rest, &index) || index >= 0)
          bad_path(text, "expected [#-n]");
      } else if (!parse_int(inner, &index)) {
        bad_path(text, "expected an array index");
      }
      p.steps_.push_back({Step::kIndex, {}, index});
      i = close + 1;
    } else {
      bad_path(text, "expected '.' or '['");
    }
  }
  return p;
}

bool JsonPath::find(simdjson::dom::element root, simdjson::dom::element* out) const {
  simdjson::dom::element e = root;
  for (const Step& s : steps_) {
    if (s.kind == Step::kKey || (s.kind == Step::kPointer && !e.is_array())) {
      simdjson::dom::object obj;
      if (e.get_object().get(obj) != simdjson::SUCCESS) return false;
      if (obj.at_key(s.key).get(e) != simdjson::SUCCESS) return false;
      continue;
    }
    simdjson::dom::array arr;
    if (e.get_array().get(arr) != simdjson::SUCCESS) return false;
    int64_t index = s.index;
    if (s.kind == Step::kPointer && !parse_int(s.key, &index)) return false;
    if (index == INT64_MIN) return false;
    if (index < 0) index += static_cast<int64_t>(arr.size());
    if (index < 0) return false;
    if (arr.at(static_cast<size_t>(index)).get(e) != simdjson::SUCCESS) return false;
  }
  *out = e;
  return true;
}

simdjson::dom::parser& thread_json_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

simdjson::dom::element parse_json_or_throw(std::string_view text) {
  simdjson::dom::element e;
  auto error = thread_json_parser().parse(text.data(), text.size(), true).get(e);
  if (error != simdjson::SUCCESS) {
    std::string_view shown = text.substr(0, 80);
    throw_user_error("malformed JSON ({}): '{}{}'", simdjson::error_message(error), shown,
                     text.size() > shown.size() ? "..." : "");
  }
  return e;
}

}  // namespace velo
