#pragma once

namespace velo::cli {

/// Entry point of the `velo` binary; returns the process exit code
/// (0 ok, 1 the statement failed, 2 bad command line).
int main(int argc, char** argv);

}  // namespace velo::cli
