#pragma once

#include <string>
#include <string_view>

namespace velo::http {

/// Digests and encodings the request signers need (SigV4, Azure Shared Key, JWT), over OpenSSL.
/// All functions are pure and thread-safe.

/// Raw 32-byte SHA-256 of `data`.
std::string sha256(std::string_view data);
/// Lower-case hex SHA-256 of `data` (SigV4 payload and canonical-request hashes).
std::string sha256_hex(std::string_view data);
/// Raw 32-byte HMAC-SHA256 of `data` under `key`.
std::string hmac_sha256(std::string_view key, std::string_view data);
/// Raw 16-byte MD5 (the Content-MD5 S3's multi-object delete requires).
std::string md5(std::string_view data);

std::string hex_encode(std::string_view bytes);
std::string base64_encode(std::string_view bytes);
/// URL-safe base64 without padding (RFC 7515 §2, for JWT).
std::string base64url_encode(std::string_view bytes);
/// Decodes standard base64 (padding optional, whitespace ignored); throws a user error naming
/// `what` (never the value: it is usually a secret) on malformed input.
std::string base64_decode(std::string_view text, std::string_view what);

}  // namespace velo::http
