// The command line of `selfservice`: global options, subcommands and their options
// (Boost.Program_options), and the help text of each. Parsing never opens the database.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <boost/program_options/variables_map.hpp>

#include <selfservice/context.hpp>

namespace selfservice::cli {

// A command line that cannot be run as written: exit status 2, the message on stderr with a hint
// to the help of `command` ("" for the program's).
class UsageError : public std::runtime_error {
 public:
  UsageError(const std::string& message, std::string command)
      : std::runtime_error(message), command_(std::move(command)) {}
  const std::string& command() const { return command_; }

 private:
  std::string command_;
};

// The options every command takes, before or after its name.
struct Globals {
  std::string db = "selfservice.db";  // storage "sqlite:<db>"
  bool db_given = false;              // --db named: it overrides the storage of --options
  std::string options_file;           // portal options JSON (PortalOptions::FromJson)
  // Who the calls run as. The CLI is a trusted local host: whoever can run it can read the
  // database file, so it names the caller by raw ids, by default a platform operator.
  std::int64_t tenant = 1;
  std::int64_t customer = 1;
  std::int64_t user = 1;
  std::string role = "platform_admin";
  Locale locale = Locale::kEnUS;
  bool json = false;   // scripts: exact JSON on stdout
  bool quiet = false;  // no progress, no notes on stderr
};

struct Invocation {
  Globals globals;
  // "import", "search", "ask", "tickets create", "tickets list", "tickets show", "download",
  // "call", "methods", "serve"; "tickets" or "" only with `help`.
  std::string command;
  boost::program_options::variables_map values;  // the command's own options
  std::vector<std::string> arguments;            // its positional arguments
  bool help = false;
  bool version = false;
};

// Parses argv without the program name. Throws UsageError.
Invocation Parse(const std::vector<std::string>& args);

// The help of a command ("" for the program, "tickets" for the ticket commands).
std::string Help(std::string_view command);

// The locale of the environment (LC_ALL, LC_MESSAGES, LANG): zh-CN when it starts with "zh",
// else en-US.
Locale EnvironmentLocale();

}  // namespace selfservice::cli
