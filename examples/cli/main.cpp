// selfservice: the command line of libselfservice (README.md in this folder).
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include <selfservice/portal.hpp>

#include "command_line.hpp"
#include "commands.hpp"

int main(int argc, char** argv) {
  using namespace selfservice::cli;
  try {
    const Invocation invocation = Parse(std::vector<std::string>(argv + 1, argv + argc));
    if (invocation.help) {
      std::cout << Help(invocation.command);
      return 0;
    }
    if (invocation.version) {
      std::cout << "selfservice " << selfservice::Version() << '\n';
      return 0;
    }
    return Run(invocation);
  } catch (const UsageError& error) {
    std::cerr << "selfservice: " << error.what() << '\n'
              << "Try 'selfservice " << (error.command().empty() ? "" : error.command() + " ") << "--help'.\n";
    return 2;
  } catch (const std::exception& error) {
    std::cerr << "selfservice: " << error.what() << '\n';
    return 1;
  }
}
