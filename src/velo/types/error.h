#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace velo {

/// What went wrong, broadly: decides exit codes, retry policy and how the CLI prints it.
enum class ErrorKind : uint8_t {
  kUser,          // malformed SQL, unknown column, bad option: the user must change something
  kIo,            // file system, network, broker
  kFormat,        // corrupt or malformed input data
  kNotSupported,  // a feature that does not exist yet
  kInternal,      // a bug in velostream
};

/// Where an error happened. Any subset may be set; the message printer shows what is known.
struct ErrorLocation {
  std::string file;      // data file or SQL file
  int64_t line = 0;      // 1-based; 0 = unknown
  int64_t column = 0;    // 1-based; 0 = unknown
  int64_t offset = -1;   // byte offset in a file or SQL text; -1 = unknown
};

/// The one error type of velostream. Errors that end a query are thrown (DuckDB style);
/// third-party error codes are converted at the adapter edge.
class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string message, ErrorLocation location = {}, bool retryable = false)
      : std::runtime_error(message),
        kind_(kind),
        message_(std::move(message)),
        location_(std::move(location)),
        retryable_(retryable) {}

  ErrorKind kind() const { return kind_; }
  const std::string& message() const { return message_; }
  const ErrorLocation& location() const { return location_; }
  /// True when trying the same operation again may succeed (timeouts, 503, broker down).
  bool retryable() const { return retryable_; }

  /// "file:line:column: message" when a location is known, else just the message.
  std::string describe() const;

 private:
  ErrorKind kind_;
  std::string message_;
  ErrorLocation location_;
  bool retryable_;
};

template <typename... Args>
[[noreturn]] void throw_user_error(fmt::format_string<Args...> f, Args&&... args) {
  throw Error(ErrorKind::kUser, fmt::format(f, std::forward<Args>(args)...));
}

template <typename... Args>
[[noreturn]] void throw_io_error(fmt::format_string<Args...> f, Args&&... args) {
  throw Error(ErrorKind::kIo, fmt::format(f, std::forward<Args>(args)...));
}

template <typename... Args>
[[noreturn]] void throw_format_error(fmt::format_string<Args...> f, Args&&... args) {
  throw Error(ErrorKind::kFormat, fmt::format(f, std::forward<Args>(args)...));
}

/// "not supported yet: <what>" — the one way to reject a missing feature.
template <typename... Args>
[[noreturn]] void throw_not_supported(fmt::format_string<Args...> f, Args&&... args) {
  throw Error(ErrorKind::kNotSupported,
              "not supported yet: " + fmt::format(f, std::forward<Args>(args)...));
}

template <typename... Args>
[[noreturn]] void throw_internal_error(fmt::format_string<Args...> f, Args&&... args) {
  throw Error(ErrorKind::kInternal, "internal error: " + fmt::format(f, std::forward<Args>(args)...));
}

#define VELO_CHECK(cond)                                                                   \
  do {                                                                                     \
    if (!(cond)) ::velo::throw_internal_error("check failed: {} at {}:{}", #cond, __FILE__, \
                                              __LINE__);                                    \
  } while (0)

}  // namespace velo
