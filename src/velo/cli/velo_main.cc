#include "velo/cli/cli.h"

int main(int argc, char** argv) { return velo::cli::main(argc, argv); }
