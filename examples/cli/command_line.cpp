#include "command_line.hpp"

#include <cstdlib>
#include <sstream>

#include <boost/program_options/options_description.hpp>
#include <boost/program_options/parsers.hpp>
#include <boost/program_options/positional_options.hpp>
#include <boost/program_options/value_semantic.hpp>

namespace selfservice::cli {
namespace po = boost::program_options;
namespace {

// One subcommand: its usage line, what it does, how many positional arguments it takes (max -1:
// any number) and its own options.
struct CommandSpec {
  std::string_view name;
  std::string_view usage;
  std::string_view summary;
  int min_arguments;
  int max_arguments;
  void (*add_options)(po::options_description&);
};

void NoOptions(po::options_description&) {}

void ImportOptions(po::options_description&) {}

void SearchOptions(po::options_description& d) {
  d.add_options()
      ("lang", po::value<std::string>()->value_name("zh|en"), "only articles in this language")
      ("category", po::value<std::string>()->value_name("TEXT"), "only articles of this category")
      ("tag", po::value<std::vector<std::string>>()->value_name("TEXT"), "only articles with this tag (repeatable: all of them)")
      ("page", po::value<int>()->value_name("N"), "page of the results (default 1)")
      ("size", po::value<int>()->value_name("N"), "hits per page, 1-50 (default 10)");
}

void AskOptions(po::options_description& d) {
  d.add_options()
      ("session", po::value<std::string>()->value_name("ID"), "continue this AI chat session (printed by a previous ask)")
      ("max-results", po::value<int>()->value_name("N"), "related articles at most, 1-20 (default 5)");
}

void TicketCreateOptions(po::options_description& d) {
  d.add_options()
      ("title", po::value<std::string>()->value_name("TEXT"), "required: 1-200 characters")
      ("description", po::value<std::string>()->value_name("TEXT"), "required: what happened")
      ("category", po::value<std::string>()->value_name("TEXT"), "required: e.g. network")
      ("priority", po::value<std::string>()->value_name("1-3"), "required: 1 or high, 2 or medium, 3 or low")
      ("email", po::value<std::string>()->value_name("ADDRESS"), "contact e-mail")
      ("phone", po::value<std::string>()->value_name("NUMBER"), "contact phone")
      ("session", po::value<std::string>()->value_name("ID"), "the self-service session this ticket escalates")
      ("idempotency-key", po::value<std::string>()->value_name("KEY"), "the same key from the same user creates one ticket only");
}

void TicketListOptions(po::options_description& d) {
  d.add_options()
      ("status", po::value<std::string>()->value_name("STATUS"), "new, open, in_progress, pending_customer, resolved, closed or reopened")
      ("category", po::value<std::string>()->value_name("TEXT"), "exactly this category")
      ("keyword", po::value<std::string>()->value_name("TEXT"), "found in the title or description")
      ("page", po::value<int>()->value_name("N"), "page (default 1)")
      ("size", po::value<int>()->value_name("N"), "tickets per page, 1-100 (default 20)");
}

void DownloadOptions(po::options_description& d) {
  d.add_options()
      ("output,o", po::value<std::string>()->value_name("FILE"), "where to write it (- for stdout; default: the file's own name here)")
      ("resume", "continue FILE from its size (a download that was cut), instead of starting again");
}

void ServeOptions(po::options_description& d) {
  d.add_options()
      ("address", po::value<std::string>()->value_name("IP")->default_value("127.0.0.1"), "address to listen on")
      ("port", po::value<int>()->value_name("N")->default_value(8080), "port to listen on, 0-65535 (0: any free one)")
      ("threads", po::value<int>()->value_name("N")->default_value(0), "I/O threads (0: one per core)")
      ("tls-cert", po::value<std::string>()->value_name("PEM"), "certificate chain: serve HTTPS (with --tls-key)")
      ("tls-key", po::value<std::string>()->value_name("PEM"), "private key of --tls-cert");
}

constexpr CommandSpec kCommands[] = {
    {"import", "import FILE", "import a knowledge base from a JSON Lines file (knowledge.import)", 1, 1, ImportOptions},
    {"search", "search [options] QUERY...", "search the published articles (search.query)", 1, -1, SearchOptions},
    {"ask", "ask [options] QUESTION...", "ask the AI assistant a question (ai.chat)", 1, -1, AskOptions},
    {"tickets create", "tickets create --title T --description D --category C --priority P [options]",
     "create a ticket (tickets.create)", 0, 0, TicketCreateOptions},
    {"tickets list", "tickets list [options]", "list the tickets the caller sees (tickets.list)", 0, 0, TicketListOptions},
    {"tickets show", "tickets show ID", "show a ticket and its history (tickets.get, tickets.history)", 1, 1, NoOptions},
    {"download", "download attachment|document ID [options]",
     "save an attachment (tickets.attachments.get) or a document (documents.download) as its bytes, resumable", 2, 2,
     DownloadOptions},
    {"call", "call METHOD [REQUEST]",
     "invoke any method with a JSON request (text, or - to read stdin; default {}); prints the whole envelope", 1, 2,
     NoOptions},
    {"methods", "methods", "list the methods of the dispatch table", 0, 0, NoOptions},
    {"serve", "serve [options]", "serve the REST API over HTTP (portal_server) until Ctrl-C or SIGTERM", 0, 0,
     ServeOptions},
};

const CommandSpec* FindCommand(std::string_view name) {
  for (const auto& spec : kCommands) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

po::options_description GlobalOptions() {
  po::options_description d("Global options (before or after the command)");
  d.add_options()
      ("db", po::value<std::string>()->value_name("PATH"), "SQLite database file (default ./selfservice.db), created when missing")
      ("options", po::value<std::string>()->value_name("FILE"), "portal options JSON (docs/API.md); --db overrides its storage")
      ("tenant", po::value<std::int64_t>()->value_name("N"), "tenant id of the caller (default 1)")
      ("customer", po::value<std::int64_t>()->value_name("N"), "customer id of the caller (default 1)")
      ("user", po::value<std::int64_t>()->value_name("N"), "user id of the caller (default 1)")
      ("role", po::value<std::string>()->value_name("ROLE"), "customer_user, customer_admin or platform_admin (default)")
      ("locale", po::value<std::string>()->value_name("zh-CN|en-US"), "language of messages (default: from LANG)")
      ("json", "print exact JSON on stdout, for scripts")
      ("quiet,q", "no progress or notes on stderr")
      ("help,h", "show help (of the command when one is named)")
      ("version", "print the version");
  return d;
}

po::options_description CommandOptions(const CommandSpec& spec) {
  po::options_description d("Options of " + std::string(spec.name));
  spec.add_options(d);
  return d;
}

// Whether `token` is a long option of `d` ("--db") that takes its value in the next token (the
// short global options take none).
bool TakesNextToken(const po::options_description& d, std::string_view token) {
  if (token.size() < 3 || token.substr(0, 2) != "--" || token.find('=') != std::string_view::npos) return false;
  const po::option_description* option = d.find_nothrow(std::string(token.substr(2)), false);
  return option != nullptr && option->semantic()->max_tokens() > 0;
}

// Index of the first token at or after `from` that is neither an option nor the value of one.
std::size_t NextWord(const std::vector<std::string>& args, std::size_t from, const po::options_description& d) {
  for (std::size_t i = from; i < args.size(); ++i) {
    if (args[i] == "--") return i + 1 < args.size() ? i + 1 : args.size();
    if (args[i].size() > 1 && args[i][0] == '-') {
      if (TakesNextToken(d, args[i])) ++i;
      continue;
    }
    return i;
  }
  return args.size();
}

std::int64_t PositiveId(const po::variables_map& values, const char* name, std::int64_t fallback) {
  if (!values.count(name)) return fallback;
  const auto id = values[name].as<std::int64_t>();
  if (id <= 0) throw UsageError("--" + std::string(name) + " must be a positive integer, not " + std::to_string(id), "");
  return id;
}

Globals ReadGlobals(const po::variables_map& values) {
  Globals globals;
  globals.locale = EnvironmentLocale();
  if (values.count("db")) {
    globals.db = values["db"].as<std::string>();
    globals.db_given = true;
    if (globals.db.empty()) throw UsageError("--db needs a file path", "");
  }
  if (values.count("options")) globals.options_file = values["options"].as<std::string>();
  globals.tenant = PositiveId(values, "tenant", globals.tenant);
  globals.customer = PositiveId(values, "customer", globals.customer);
  globals.user = PositiveId(values, "user", globals.user);
  if (values.count("role")) {
    globals.role = values["role"].as<std::string>();
    if (globals.role != "customer_user" && globals.role != "customer_admin" && globals.role != "platform_admin") {
      throw UsageError("--role must be customer_user, customer_admin or platform_admin, not '" + globals.role + "'", "");
    }
  }
  if (values.count("locale")) {
    const std::string locale = values["locale"].as<std::string>();
    if (locale == "zh-CN") {
      globals.locale = Locale::kZhCN;
    } else if (locale == "en-US") {
      globals.locale = Locale::kEnUS;
    } else {
      throw UsageError("--locale must be zh-CN or en-US, not '" + locale + "'", "");
    }
  }
  globals.json = values.count("json") > 0;
  globals.quiet = values.count("quiet") > 0;
  return globals;
}

// Runs Boost's parser, turning its exceptions into a UsageError of `command`.
void ParseInto(const std::vector<std::string>& tokens, const po::options_description& d,
               const po::positional_options_description& positional, po::variables_map& values,
               const std::string& command) {
  try {
    po::store(po::command_line_parser(tokens).options(d).positional(positional).run(), values);
  } catch (const po::error& error) {
    throw UsageError(error.what(), command);
  }
}

}  // namespace

Locale EnvironmentLocale() {
  for (const char* name : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && *value != '\0') return std::string_view(value).substr(0, 2) == "zh" ? Locale::kZhCN : Locale::kEnUS;
  }
  return Locale::kEnUS;
}

Invocation Parse(const std::vector<std::string>& args) {
  const po::options_description globals = GlobalOptions();
  Invocation invocation;

  // The command is the first word that is not an option or an option's value; "tickets" takes
  // the next word as its action.
  const std::size_t at = NextWord(args, 0, globals);
  std::vector<std::string> before(args.begin(), args.begin() + static_cast<std::ptrdiff_t>(at));
  std::vector<std::string> after;
  if (at < args.size()) {
    invocation.command = args[at];
    std::size_t rest = at + 1;
    if (invocation.command == "tickets") {
      const std::size_t action = NextWord(args, rest, globals);
      if (action < args.size()) {
        invocation.command += " " + args[action];
        after.assign(args.begin() + static_cast<std::ptrdiff_t>(rest), args.begin() + static_cast<std::ptrdiff_t>(action));
        rest = action + 1;
      }
    }
    after.insert(after.end(), args.begin() + static_cast<std::ptrdiff_t>(rest), args.end());
  }
  if (!before.empty() && before.back() == "--") before.pop_back();

  po::variables_map values;
  ParseInto(before, globals, po::positional_options_description(), values, "");

  const CommandSpec* spec = FindCommand(invocation.command);
  if (spec != nullptr) {
    po::options_description all = CommandOptions(*spec);
    all.add(globals);
    all.add_options()("arguments", po::value<std::vector<std::string>>());
    po::positional_options_description positional;
    positional.add("arguments", -1);
    ParseInto(after, all, positional, values, invocation.command);
  } else if (invocation.command == "tickets") {
    ParseInto(after, globals, po::positional_options_description(), values, "tickets");
  } else if (!invocation.command.empty()) {
    throw UsageError("unknown command '" + invocation.command + "'", invocation.command.rfind("tickets", 0) == 0 ? "tickets" : "");
  }
  po::notify(values);

  invocation.help = values.count("help") > 0;
  invocation.version = values.count("version") > 0;
  invocation.globals = ReadGlobals(values);
  if (values.count("arguments")) invocation.arguments = values["arguments"].as<std::vector<std::string>>();
  invocation.values = std::move(values);
  if (invocation.help || invocation.version) return invocation;

  if (invocation.command.empty()) throw UsageError("no command given", "");
  if (spec == nullptr) throw UsageError("tickets needs an action: create, list or show", "tickets");
  const int count = static_cast<int>(invocation.arguments.size());
  if (count < spec->min_arguments) {
    throw UsageError(std::string(spec->name) + ": missing argument (usage: selfservice " + std::string(spec->usage) + ")",
                     invocation.command);
  }
  if (spec->max_arguments >= 0 && count > spec->max_arguments) {
    throw UsageError(std::string(spec->name) + ": unexpected argument '" +
                         invocation.arguments[static_cast<std::size_t>(spec->max_arguments)] + "'",
                     invocation.command);
  }
  return invocation;
}

std::string Help(std::string_view command) {
  std::ostringstream out;
  if (const CommandSpec* spec = FindCommand(command)) {
    out << "Usage: selfservice " << spec->usage << "\n\n" << spec->summary << ".\n";
    po::options_description own = CommandOptions(*spec);
    if (!own.options().empty()) out << '\n' << own;
    out << '\n' << GlobalOptions();
    return out.str();
  }
  if (command == "tickets") {
    out << "Usage: selfservice tickets create|list|show ...\n\n";
    for (const auto& each : kCommands) {
      if (each.name.rfind("tickets ", 0) == 0) out << "  " << each.usage << "\n      " << each.summary << '\n';
    }
    out << "\nRun 'selfservice tickets ACTION --help' for the options of each.\n";
    return out.str();
  }
  out << "Usage: selfservice [global options] COMMAND [options] [arguments]\n\n"
         "The command line of libselfservice. It opens the database file directly and runs every call\n"
         "as the caller named by --tenant/--customer/--user/--role (a trusted local host; by default\n"
         "tenant 1, customer 1, user 1 as platform_admin).\n\nCommands:\n";
  for (const auto& each : kCommands) out << "  " << each.usage << "\n      " << each.summary << '\n';
  out << '\n' << GlobalOptions()
      << "\nExit status: 0 success, 1 the call failed (the error is on stderr), 2 bad command line.\n"
         "Run 'selfservice COMMAND --help' for the options of a command.\n";
  return out.str();
}

}  // namespace selfservice::cli
