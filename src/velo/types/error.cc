#include "velo/types/error.h"

namespace velo {

std::string Error::describe() const {
  std::string where;
  if (!location_.file.empty()) where = location_.file;
  if (location_.line > 0) {
    where += fmt::format("{}{}", where.empty() ? "line " : ":", location_.line);
    if (location_.column > 0) where += fmt::format(":{}", location_.column);
  } else if (location_.offset >= 0) {
    where += fmt::format("{}byte {}", where.empty() ? "" : ": ", location_.offset);
  }
  return where.empty() ? message_ : where + ": " + message_;
}

}  // namespace velo
