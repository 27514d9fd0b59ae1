#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace velo::http {

/// Just enough XML for object-store responses (ListObjectsV2, List Blobs, multipart replies,
/// error bodies): elements are found by tag name, without namespaces or attributes. Not a
/// general parser; the services' documents are flat and well-formed.

/// The raw (still entity-encoded) contents of every <tag>...</tag> in `xml`, in order.
std::vector<std::string_view> xml_elements(std::string_view xml, std::string_view tag);
/// The decoded text of the first <tag>...</tag>, or nullopt (also for <tag/>: "").
std::optional<std::string> xml_text(std::string_view xml, std::string_view tag);
/// Decodes &amp; &lt; &gt; &quot; &apos; and numeric character references.
std::string xml_unescape(std::string_view s);
/// Escapes the five XML special characters.
std::string xml_escape(std::string_view s);

}  // namespace velo::http
