// The subcommands of `selfservice`: each opens the portal of the global options, calls the
// library and prints the answer. They return the process's exit status (0 success, 1 failure) and
// throw UsageError for arguments the command line parser could not judge (a ticket id that is not
// a number, a missing required option).
#pragma once

#include "command_line.hpp"

namespace selfservice::cli {

int Run(const Invocation& invocation);

}  // namespace selfservice::cli
