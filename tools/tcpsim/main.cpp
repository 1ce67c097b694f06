#include <iostream>

#include "tools/tcpsim/cli.hpp"

int main(int argc, char** argv) {
    std::ios::sync_with_stdio(false);
    return tcpsim::cli_main(argc, argv, std::cout, std::cerr);
}
