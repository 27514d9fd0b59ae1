#include "velo/fs/http/xml_scan.h"

#include <cstdlib>

namespace velo::http {

namespace {

// Finds the next <tag ...> or <tag/> at or after `from`. Sets *self_closing; returns the index
// just past '>' or npos.
size_t find_open(std::string_view xml, std::string_view tag, size_t from, size_t* start,
                 bool* self_closing) {
  while (true) {
    size_t lt = xml.find('<', from);
    if (lt == std::string_view::npos) return lt;
    size_t name_end = lt + 1 + tag.size();
    if (xml.compare(lt + 1, tag.size(), tag) == 0 && name_end < xml.size() &&
        (xml[name_end] == '>' || xml[name_end] == ' ' || xml[name_end] == '/')) {
      size_t gt = xml.find('>', name_end);
      if (gt == std::string_view::npos) return gt;
      *start = lt;
      *self_closing = xml[gt - 1] == '/';
      return gt + 1;
    }
    from = lt + 1;
  }
}

void append_utf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

std::vector<std::string_view> xml_elements(std::string_view xml, std::string_view tag) {
  std::vector<std::string_view> out;
  std::string close = "</" + std::string(tag) + ">";
  size_t pos = 0;
  while (true) {
    size_t start = 0;
    bool self_closing = false;
    size_t body = find_open(xml, tag, pos, &start, &self_closing);
    if (body == std::string_view::npos) break;
    if (self_closing) {
      out.emplace_back();
      pos = body;
      continue;
    }
    size_t end = xml.find(close, body);
    if (end == std::string_view::npos) break;
    out.push_back(xml.substr(body, end - body));
    pos = end + close.size();
  }
  return out;
}

std::optional<std::string> xml_text(std::string_view xml, std::string_view tag) {
  auto all = xml_elements(xml, tag);
  if (all.empty()) return std::nullopt;
  return xml_unescape(all.front());
}

std::string xml_unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out.push_back(s[i]);
      continue;
    }
    size_t semi = s.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) {
      out.push_back('&');
      continue;
    }
    std::string_view ent = s.substr(i + 1, semi - i - 1);
    if (ent == "amp")
      out.push_back('&');
    else if (ent == "lt")
      out.push_back('<');
    else if (ent == "gt")
      out.push_back('>');
    else if (ent == "quot")
      out.push_back('"');
    else if (ent == "apos")
      out.push_back('\'');
    else if (!ent.empty() && ent[0] == '#') {
      std::string num(ent.substr(1));
      bool hex = !num.empty() && (num[0] == 'x' || num[0] == 'X');
      uint32_t cp =
          static_cast<uint32_t>(std::strtoul(num.c_str() + (hex ? 1 : 0), nullptr, hex ? 16 : 10));
      append_utf8(cp, &out);
    } else {
      out.append(s.substr(i, semi - i + 1));
    }
    i = semi;
  }
  return out;
}

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

}  // namespace velo::http
