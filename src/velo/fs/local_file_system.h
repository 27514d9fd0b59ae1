#pragma once

#include <memory>

#include "velo/fs/file_system.h"

namespace velo {

/// The local file system. Accepts plain paths and file:// URIs. Writes go to a hidden temp file
/// next to the target and are renamed into place on commit.
std::shared_ptr<FileSystem> local_file_system();

}  // namespace velo
