#include "velo/connectors/file/source_position.h"

#include <simdjson.h>

#include "velo/types/error.h"
#include "velo/types/value.h"

namespace velo {

namespace {

void append_unit(const FileUnitKey& k, std::string* out) {
  out->push_back('[');
  append_json_string(k.path, out);
  *out += "," + std::to_string(k.begin);
}

}  // namespace

std::string FileReaderPosition::encode() const {
  std::string out = "{\"done\":[";
  for (size_t i = 0; i < done.size(); ++i) {
    if (i) out.push_back(',');
    append_unit(done[i], &out);
    out.push_back(']');
  }
  out += "]";
  if (in_unit) {
    out += ",\"current\":";
    append_unit(current, &out);
    out += "," + std::to_string(rows) + "]";
  }
  out += "}";
  return out;
}

FileReaderPosition FileReaderPosition::decode(const std::string& text) {
  FileReaderPosition p;
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  auto bad = [&]() -> FileReaderPosition {
    throw_user_error("checkpoint position '{}' was not written by a file source", text);
  };
  if (parser.parse(text).get(e)) return bad();
  auto unit = [&](simdjson::dom::array a, FileUnitKey* k) {
    auto it = a.begin();
    std::string_view path;
    int64_t begin = 0;
    if (it == a.end() || (*it).get(path)) return false;
    ++it;
    if (it == a.end() || (*it).get(begin)) return false;
    k->path = std::string(path);
    k->begin = begin;
    return true;
  };
  simdjson::dom::array done;
  if (e["done"].get(done)) return bad();
  for (simdjson::dom::element d : done) {
    simdjson::dom::array a;
    FileUnitKey k;
    if (d.get(a) || !unit(a, &k)) return bad();
    p.done.push_back(std::move(k));
  }
  simdjson::dom::array cur;
  if (!e["current"].get(cur)) {
    if (!unit(cur, &p.current) || cur.size() != 3 || cur.at(2).get(p.rows)) return bad();
    p.in_unit = true;
  }
  return p;
}

}  // namespace velo
