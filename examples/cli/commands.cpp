#include "commands.hpp"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/program_options/variables_map.hpp>

#include <selfservice/selfservice.hpp>

#include "http_server.hpp"
#include "output.hpp"

namespace selfservice::cli {
namespace json = boost::json;
namespace {

// A call the library answered with an error envelope (or refused before one could be made).
struct CallFailed {
  json::object envelope;
};

json::object ParseEnvelope(const std::string& text) {
  boost::system::error_code error;
  json::value value = json::parse(text, error);
  if (error || !value.is_object()) throw std::runtime_error("the library answered something that is not an envelope");
  return std::move(value.as_object());
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The portal of the global options, and every call made as the caller they name.
class Client {
 public:
  explicit Client(const Globals& globals, bool serving = false) {
    PortalOptions options;
    if (!globals.options_file.empty()) {
      auto parsed = PortalOptions::FromJson(ReadFile(globals.options_file));
      if (!parsed.ok()) throw CallFailed{ParseEnvelope(ErrorEnvelope(parsed.status(), globals.locale))};
      options = std::move(*parsed);
    }
    if (globals.options_file.empty() || globals.db_given) options.storage = "sqlite:" + globals.db;
    if (serving) options = server::ServingOptions(std::move(options));
    auto portal = Portal::Open(std::move(options));
    if (!portal.ok()) throw CallFailed{ParseEnvelope(ErrorEnvelope(portal.status(), globals.locale))};
    portal_ = std::move(*portal);

    json::object context{{"tenant_id", globals.tenant},
                         {"customer_id", globals.customer},
                         {"user_id", globals.user},
                         {"roles", json::array{json::string(globals.role)}},
                         {"locale", LocaleName(globals.locale)},
                         {"user_agent", "selfservice-cli/" + std::string(Version())}};
    context_ = json::serialize(context);
  }

  Portal& portal() { return *portal_; }
  const std::string& context() const { return context_; }

  // The envelope of `method` for request text exactly as given (`call` passes the user's text, so
  // bad JSON gets the library's own 10001).
  json::object Invoke(std::string_view method, std::string_view request, const ProgressCallback& progress = {}) {
    return ParseEnvelope(portal_->Invoke(method, context_, request, progress));
  }

  // The envelope of a successful call; a failure throws CallFailed.
  json::object Call(std::string_view method, const json::object& request, const ProgressCallback& progress = {}) {
    json::object envelope = Invoke(method, json::serialize(request), progress);
    if (envelope.at("code") != 200) throw CallFailed{std::move(envelope)};
    return envelope;
  }

 private:
  std::unique_ptr<Portal> portal_;
  std::string context_;
};

const json::object& DataObject(const json::object& envelope) {
  static const json::object kEmpty;
  const json::value* data = envelope.if_contains("data");
  return data != nullptr && data->is_object() ? data->get_object() : kEmpty;
}

const json::array& Array(const json::object& object, std::string_view key) {
  static const json::array kEmpty;
  const json::value* value = object.if_contains(key);
  return value != nullptr && value->is_array() ? value->get_array() : kEmpty;
}

// Whether object[key] is the JSON true, or the string `expected`.
bool Flag(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value != nullptr && value->is_bool() && value->get_bool();
}
bool Is(const json::object& object, std::string_view key, std::string_view expected) {
  const json::value* value = object.if_contains(key);
  return value != nullptr && value->is_string() && value->get_string() == expected;
}

// A number member with two decimals ("0.82"), for people; "-" when it is not a number.
std::string Decimal(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr || !value->is_number()) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", value->to_number<double>());
  return text;
}

void PrintJson(const json::value& value) { std::cout << json::serialize(value) << '\n'; }

template <typename T>
std::optional<T> Option(const Invocation& invocation, const char* name) {
  if (!invocation.values.count(name)) return std::nullopt;
  return invocation.values[name].as<T>();
}

std::string JoinArguments(const Invocation& invocation) {
  std::string joined;
  for (const auto& word : invocation.arguments) {
    if (!joined.empty()) joined += ' ';
    joined += word;
  }
  return joined;
}

std::int64_t PositiveArgument(const std::string& text, const std::string& what, const std::string& command) {
  std::size_t used = 0;
  long long value = 0;
  try {
    value = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || used == 0 || value <= 0) {
    throw UsageError(what + " must be a positive integer, not '" + text + "'", command);
  }
  return value;
}

// "<mark>" pairs of a snippet as bold on a terminal, else dropped.
std::string Snippet(std::string text, bool terminal) {
  for (const auto& [tag, replacement] : {std::pair<std::string, std::string>{"<mark>", terminal ? "\033[1m" : ""},
                                         std::pair<std::string, std::string>{"</mark>", terminal ? "\033[0m" : ""}}) {
    for (std::size_t at = text.find(tag); at != std::string::npos; at = text.find(tag, at + replacement.size())) {
      text.replace(at, tag.size(), replacement);
    }
  }
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

void PrintPagination(const json::object& envelope, std::string_view noun) {
  const json::value* pagination = envelope.if_contains("pagination");
  if (pagination == nullptr || !pagination->is_object()) return;
  const json::object& p = pagination->get_object();
  if (Text(p, "total") == "0") return;
  std::cout << "page " << Text(p, "page") << " of " << Text(p, "pages") << ", " << Text(p, "total") << ' ' << noun
            << " in all\n";
}

// Ctrl-C during an import asks the library to stop after its current transaction.
std::atomic<bool> g_interrupted{false};
void OnInterrupt(int) { g_interrupted.store(true); }

// Routes SIGINT to OnInterrupt while it lives, then restores what was there.
class InterruptGuard {
 public:
  InterruptGuard() : previous_(std::signal(SIGINT, OnInterrupt)) { g_interrupted.store(false); }
  ~InterruptGuard() {
    if (previous_ != SIG_ERR) std::signal(SIGINT, previous_);
  }
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  void (*previous_)(int);
};

ProgressReporter::Mode ProgressMode(const Globals& globals) {
  if (globals.quiet) return ProgressReporter::Mode::kNone;
  return IsTerminal(2) ? ProgressReporter::Mode::kBar : ProgressReporter::Mode::kLines;
}

int Import(const Invocation& invocation) {
  const Globals& globals = invocation.globals;
  std::error_code error;
  const std::filesystem::path path = std::filesystem::absolute(invocation.arguments[0], error);
  if (error || !std::filesystem::is_regular_file(path, error)) {
    std::cerr << "selfservice: " << invocation.arguments[0] << " is not a readable file\n";
    return 1;
  }
  Client client(globals);
  ProgressReporter reporter(ProgressMode(globals), true);
  json::object envelope;
  {
    const InterruptGuard interrupts;
    envelope = client.Call("knowledge.import", {{"path", path.string()}}, [&](std::int64_t done, std::int64_t total) {
      reporter.Report(done, total);
      return !g_interrupted.load();
    });
  }
  reporter.Finish();
  const json::object& data = DataObject(envelope);
  const bool cancelled = Flag(data, "cancelled");
  if (globals.json) {
    PrintJson(data);
  } else {
    std::cout << (cancelled ? "Stopped (Ctrl-C): " : "") << "imported " << Text(data, "imported") << ", updated "
              << Text(data, "updated") << ", failed " << Text(data, "failed") << '\n';
    const json::array& errors = Array(data, "errors");
    for (const auto& item : errors) {
      const json::object& refused = item.as_object();
      std::cout << "  line " << Text(refused, "line") << " (" << Text(refused, "external_id") << "): ";
      const char* separator = "";
      for (const auto& field : Array(refused, "errors")) {
        std::cout << separator << Text(field.as_object(), "message") << " [" << Text(field.as_object(), "code") << ']';
        separator = "; ";
      }
      std::cout << '\n';
    }
    const std::int64_t failed = data.at("failed").to_number<std::int64_t>();
    if (failed > static_cast<std::int64_t>(errors.size())) {
      std::cout << "  ... and " << failed - static_cast<std::int64_t>(errors.size()) << " more\n";
    }
    if (cancelled && !globals.quiet) std::cerr << "selfservice: run the same import again to finish it\n";
  }
  return cancelled ? 130 : 0;
}

int Search(const Invocation& invocation) {
  json::object request{{"q", JoinArguments(invocation)}, {"size", Option<int>(invocation, "size").value_or(10)}};
  if (auto lang = Option<std::string>(invocation, "lang")) request["lang"] = *lang;
  if (auto category = Option<std::string>(invocation, "category")) request["category"] = *category;
  if (auto page = Option<int>(invocation, "page")) request["page"] = *page;
  if (auto tags = Option<std::vector<std::string>>(invocation, "tag")) {
    json::array array;
    for (const auto& tag : *tags) array.emplace_back(tag);
    request["tags"] = std::move(array);
  }
  Client client(invocation.globals);
  const json::object envelope = client.Call("search.query", request);
  const json::object& data = DataObject(envelope);
  if (invocation.globals.json) {
    PrintJson(data);
    return 0;
  }
  const bool terminal = IsTerminal(1);
  int rank = 0;
  for (const auto& item : Array(data, "hits")) {
    const json::object& hit = item.as_object();
    std::cout << ++rank << ". " << Text(hit, "title") << "  [" << Text(hit, "lang") << " · " << Text(hit, "category")
              << "]\n   id " << Text(hit, "id") << " · " << Text(hit, "external_id") << " · " << Text(hit, "url")
              << "\n   " << Snippet(Text(hit, "snippet"), terminal) << "\n\n";
  }
  if (rank == 0) std::cout << "No articles found.\n";
  PrintPagination(envelope, "articles");
  if (Flag(data, "degraded")) {
    std::cout << "(the search backend failed: " << Text(data, "fallback_reason") << "; the local index answered)\n";
  }
  if (Flag(data, "suggest_ticket")) {
    std::cout << "Nothing relevant enough: 'selfservice tickets create' files a ticket.\n";
  }
  return 0;
}

int Ask(const Invocation& invocation) {
  json::object request{{"question", JoinArguments(invocation)}};
  if (auto session = Option<std::string>(invocation, "session")) request["context"] = {{"session_id", *session}};
  if (auto max = Option<int>(invocation, "max-results")) request["options"] = {{"max_results", *max}};
  Client client(invocation.globals);
  const json::object envelope = client.Call("ai.chat", request);
  const json::object& data = DataObject(envelope);
  if (invocation.globals.json) {
    PrintJson(data);
    return 0;
  }
  const bool answered = data.contains("answer") && data.at("answer").is_string();
  if (answered) {
    std::cout << Text(data, "answer") << "\n\n";
  } else {
    std::cout << "No confident answer. Articles that may help:\n";
  }
  int rank = 0;
  for (const auto& item : Array(data, "related_articles")) {
    const json::object& article = item.as_object();
    if (rank == 0 && answered) std::cout << "Related articles:\n";
    std::cout << "  " << ++rank << ". " << Text(article, "title") << "  (" << Text(article, "url") << ")\n";
  }
  for (const auto& question : Array(data, "follow_up_questions")) {
    std::cout << "  ? " << (question.is_string() ? std::string(question.get_string()) : json::serialize(question)) << '\n';
  }
  std::cout << "confidence " << Decimal(data, "confidence") << " · " << Text(data, "backend");
  if (Flag(data, "degraded")) std::cout << " (degraded: " << Text(data, "fallback_reason") << ")";
  std::cout << " · session " << Text(data, "session_id") << " (continue with --session)\n";
  if (Flag(data, "suggest_ticket")) {
    std::cout << "Nothing relevant enough: 'selfservice tickets create' files a ticket.\n";
  }
  return 0;
}

int Priority(const std::string& text) {
  if (text == "1" || text == "high") return 1;
  if (text == "2" || text == "medium") return 2;
  if (text == "3" || text == "low") return 3;
  throw UsageError("--priority must be 1-3 or high, medium, low, not '" + text + "'", "tickets create");
}

std::string PriorityName(const json::object& ticket) {
  const std::string priority = Text(ticket, "priority");
  return priority == "1" ? "high" : priority == "2" ? "medium" : priority == "3" ? "low" : priority;
}

void PrintTicket(const json::object& ticket) {
  PrintTable(std::cout, {"FIELD", "VALUE"},
             {{"id", Text(ticket, "id")},
              {"title", Text(ticket, "title")},
              {"status", Text(ticket, "status")},
              {"category", Text(ticket, "category")},
              {"priority", PriorityName(ticket)},
              {"e-mail", Text(ticket, "contact_email")},
              {"phone", Text(ticket, "contact_phone")},
              {"session", Text(ticket, "session_id")},
              {"created", Text(ticket, "created_at")},
              {"updated", Text(ticket, "updated_at")},
              {"closed", Text(ticket, "closed_at")}});
  std::cout << '\n' << Text(ticket, "description") << '\n';
}

int TicketsCreate(const Invocation& invocation) {
  std::vector<std::string> missing;
  for (const char* name : {"title", "description", "category", "priority"}) {
    if (!invocation.values.count(name)) missing.push_back(std::string("--") + name);
  }
  if (!missing.empty()) {
    std::string list;
    for (const auto& name : missing) list += (list.empty() ? "" : ", ") + name;
    throw UsageError("tickets create: missing " + list, "tickets create");
  }
  json::object request{{"title", *Option<std::string>(invocation, "title")},
                       {"description", *Option<std::string>(invocation, "description")},
                       {"category", *Option<std::string>(invocation, "category")},
                       {"priority", Priority(*Option<std::string>(invocation, "priority"))}};
  json::object contact;
  if (auto email = Option<std::string>(invocation, "email")) contact["email"] = *email;
  if (auto phone = Option<std::string>(invocation, "phone")) contact["phone"] = *phone;
  if (!contact.empty()) request["contact"] = std::move(contact);
  if (auto session = Option<std::string>(invocation, "session")) request["session_id"] = *session;
  if (auto key = Option<std::string>(invocation, "idempotency-key")) request["idempotency_key"] = *key;
  Client client(invocation.globals);
  const json::object envelope = client.Call("tickets.create", request);
  const json::object& ticket = DataObject(envelope);
  if (invocation.globals.json) {
    PrintJson(ticket);
  } else {
    std::cout << "Created ticket " << Text(ticket, "id") << " (" << Text(ticket, "status") << "): " << Text(ticket, "title")
              << '\n';
  }
  return 0;
}

int TicketsList(const Invocation& invocation) {
  json::object request;
  for (const char* name : {"status", "category", "keyword"}) {
    if (auto value = Option<std::string>(invocation, name)) request[name] = *value;
  }
  for (const char* name : {"page", "size"}) {
    if (auto value = Option<int>(invocation, name)) request[name] = *value;
  }
  Client client(invocation.globals);
  const json::object envelope = client.Call("tickets.list", request);
  const json::value& data = envelope.at("data");
  if (invocation.globals.json) {
    PrintJson(data);
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& item : data.as_array()) {
    const json::object& t = item.as_object();
    rows.push_back({Text(t, "id"), Text(t, "status"), PriorityName(t), Text(t, "category"),
                    Text(t, "created_at").substr(0, 16), Text(t, "title")});
  }
  if (rows.empty()) {
    std::cout << "No tickets.\n";
  } else {
    PrintTable(std::cout, {"ID", "STATUS", "PRIORITY", "CATEGORY", "CREATED", "TITLE"}, rows);
  }
  PrintPagination(envelope, "tickets");
  return 0;
}

// A history event's comment, or nothing (not "-") when it has none.
std::string Comment(const json::object& event) {
  const json::value* comment = event.if_contains("comment");
  return comment != nullptr && comment->is_string() ? std::string(comment->get_string()) : std::string();
}

int TicketsShow(const Invocation& invocation) {
  const std::int64_t id = PositiveArgument(invocation.arguments[0], "the ticket ID", "tickets show");
  Client client(invocation.globals);
  const json::object ticket = DataObject(client.Call("tickets.get", {{"id", id}}));
  json::array history;
  for (std::int64_t page = 1;; ++page) {
    const json::object envelope = client.Call("tickets.history", {{"id", id}, {"page", page}, {"size", 100}});
    for (const auto& event : envelope.at("data").as_array()) history.push_back(event);
    const json::value* pages = envelope.if_contains("pagination");
    if (pages == nullptr || page >= pages->at("pages").to_number<std::int64_t>()) break;
  }
  if (invocation.globals.json) {
    PrintJson(json::object{{"ticket", ticket}, {"history", history}});
    return 0;
  }
  PrintTicket(ticket);
  std::cout << "\nHistory:\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& item : history) {
    const json::object& e = item.as_object();
    const std::string move = Is(e, "event_type", "status_changed") ? Text(e, "from_status") + " -> " + Text(e, "to_status")
                             : Is(e, "event_type", "created")      ? Text(e, "to_status")
                                                                    : "";
    rows.push_back({Text(e, "created_at").substr(0, 19), Text(e, "event_type"), move, Text(e, "actor_id"),
                    Comment(e)});
  }
  PrintTable(std::cout, {"WHEN", "EVENT", "STATUS", "BY", "COMMENT"}, rows);
  return 0;
}

// `download attachment|document ID`: the file's bytes through Portal::OpenDownload, a chunk at a
// time, into --output (default: the file's own name in the current directory; - for stdout). With
// --resume an existing file is continued from its size (a range request), as after a cut download.
int Download(const Invocation& invocation) {
  const std::string& kind = invocation.arguments[0];
  std::string method;
  if (kind == "attachment") {
    method = "tickets.attachments.get";
  } else if (kind == "document") {
    method = "documents.download";
  } else {
    throw UsageError("download: what to download must be attachment or document, not '" + kind + "'", "download");
  }
  const std::int64_t id = PositiveArgument(invocation.arguments[1], "the ID", "download");
  const std::optional<std::string> output = Option<std::string>(invocation, "output");
  const bool resume = invocation.values.count("resume") > 0;
  const bool to_stdout = output && *output == "-";
  if (resume && !output) throw UsageError("--resume needs --output FILE: the file to continue", "download");
  if (resume && to_stdout) throw UsageError("--resume cannot continue stdout", "download");
  if (to_stdout && invocation.globals.json) throw UsageError("--json and --output - both write stdout", "download");

  Client client(invocation.globals);
  std::int64_t offset = 0;
  if (resume) {
    std::error_code error;
    const auto have = std::filesystem::file_size(*output, error);
    if (!error && have > 0) {
      // The file's size from its description (which, unlike documents.download, counts nothing):
      // a file already whole needs no range, and one longer than the download is someone else's.
      const json::object described = DataObject(
          client.Call(kind == "attachment" ? "tickets.attachments.get" : "documents.get", {{"id", id}}));
      const std::int64_t size = described.at("size_bytes").as_int64();
      offset = static_cast<std::int64_t>(have);
      if (offset > size) {
        throw std::runtime_error(*output + " is longer (" + std::to_string(offset) + " bytes) than the " + kind + " (" +
                                 std::to_string(size) + " bytes): not a part of it");
      }
      if (offset == size) {
        if (!invocation.globals.quiet) std::cerr << "selfservice: " << *output << " is already complete\n";
        return 0;
      }
    }
  }
  json::object request{{"id", id}};
  if (offset > 0) request["offset"] = offset;
  std::unique_ptr<selfservice::Download> download;
  json::object envelope =
      ParseEnvelope(client.portal().OpenDownload(method, client.context(), json::serialize(request), download));
  if (envelope.at("code") != 200) throw CallFailed{std::move(envelope)};
  const json::object& data = envelope.at("data").as_object();
  const json::object& file = data.at("file").as_object();
  std::string path = output.value_or("");
  if (!output) {
    path = std::string(file.at("name").as_string());
    if (path.empty() || path == "." || path == ".." || path.find('/') != std::string::npos) path = "download-" + std::to_string(id);
  }

  std::ofstream out;
  std::ostream* sink = &std::cout;
  if (!to_stdout) {
    out.open(path, std::ios::binary | (offset > 0 ? std::ios::app : std::ios::trunc));
    if (!out) throw std::runtime_error("cannot write " + path);
    sink = &out;
  }
  const std::int64_t size = file.at("size").as_int64();
  ProgressReporter reporter(to_stdout && !IsTerminal(2) ? ProgressReporter::Mode::kNone : ProgressMode(invocation.globals),
                            true);
  std::string buffer(1 << 20, '\0');
  std::int64_t written = offset;
  {
    const InterruptGuard interrupts;
    while (!g_interrupted.load()) {
      auto read = download->Read(buffer.data(), buffer.size());
      if (!read.ok()) {
        sink->flush();
        reporter.Finish();
        throw CallFailed{ParseEnvelope(download->ErrorEnvelope(read.status()))};
      }
      if (*read == 0) break;
      sink->write(buffer.data(), static_cast<std::streamsize>(*read));
      if (!*sink) throw std::runtime_error("cannot write " + (to_stdout ? std::string("stdout") : path));
      written += static_cast<std::int64_t>(*read);
      reporter.Report(written, size);
    }
  }
  sink->flush();
  reporter.Finish();
  if (written < size) {
    std::cerr << "selfservice: interrupted at " << Bytes(written) << " of " << Bytes(size)
              << (to_stdout ? "\n" : "; run again with --resume --output " + path + " to continue\n");
    return 1;
  }
  if (invocation.globals.json) {
    PrintJson(json::object{{"output", path}, {"file", file}, {"range", data.at("range")}, {"bytes", written}});
  } else if (!to_stdout && !invocation.globals.quiet) {
    std::cout << "Saved " << path << " (" << Bytes(size) << (offset > 0 ? ", resumed at " + Bytes(offset) : "")
              << ", sha256 " << Text(file, "sha256") << ")\n";
  }
  return 0;
}

int Call(const Invocation& invocation) {
  const std::string& method = invocation.arguments[0];
  std::string request = invocation.arguments.size() > 1 ? invocation.arguments[1] : "{}";
  if (request == "-") request.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  Client client(invocation.globals);
  // knowledge.import counts bytes of a file ({"path"}), else records of an array.
  boost::system::error_code error;
  const json::value parsed = json::parse(request, error);
  const bool bytes = !error && parsed.is_object() && parsed.get_object().contains("path");
  ProgressReporter reporter(ProgressMode(invocation.globals), bytes);
  const json::object envelope = client.Invoke(method, request, [&](std::int64_t done, std::int64_t total) {
    reporter.Report(done, total);
    return true;
  });
  reporter.Finish();
  std::cout << (invocation.globals.json ? json::serialize(envelope) : PrettyJson(envelope)) << '\n';
  if (envelope.at("code") == 200) return 0;
  PrintError(std::cerr, envelope);
  return 1;
}

int Methods(const Invocation& invocation) {
  if (invocation.globals.json) {
    json::array methods;
    for (const auto& m : Portal::Methods()) {
      methods.push_back(json::object{{"name", m.name},
                                     {"http_method", m.http_method},
                                     {"route", m.route},
                                     {"least_role", m.least_role},
                                     {"feature", m.feature},
                                     {"rate_class", m.rate_class},
                                     {"binary", m.binary}});
    }
    PrintJson(methods);
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& m : Portal::Methods()) {
    rows.push_back({std::string(m.name), std::string(m.http_method), std::string(m.least_role),
                    m.feature.empty() ? "-" : std::string(m.feature), std::string(m.route)});
  }
  PrintTable(std::cout, {"METHOD", "HTTP", "LEAST ROLE", "FEATURE", "ROUTE"}, rows, 60);
  return 0;
}

int Serve(const Invocation& invocation) {
  server::ServerOptions options;
  options.address = *Option<std::string>(invocation, "address");
  const int port = *Option<int>(invocation, "port");
  if (port < 0 || port > 65535) throw UsageError("--port must be 0-65535, not " + std::to_string(port), "serve");
  options.port = static_cast<std::uint16_t>(port);
  options.threads = *Option<int>(invocation, "threads");
  if (options.threads < 0) throw UsageError("--threads must not be negative", "serve");
  options.tls_certificate_file = Option<std::string>(invocation, "tls-cert").value_or("");
  options.tls_private_key_file = Option<std::string>(invocation, "tls-key").value_or("");
  if (options.tls_certificate_file.empty() != options.tls_private_key_file.empty()) {
    throw UsageError("--tls-cert and --tls-key go together", "serve");
  }
  const bool tls = !options.tls_certificate_file.empty();
  const bool quiet = invocation.globals.quiet;
  const std::string address = options.address;
  options.on_listening = [tls, quiet, address](std::uint16_t bound) {
    if (!quiet) {
      std::cerr << "selfservice: serving " << (tls ? "https" : "http") << "://" << address << ':' << bound
                << "/api/v1/customer-portal/ (Ctrl-C stops)\n";
    }
  };
  Client client(invocation.globals, true);
  return server::Serve(client.portal(), options);
}

}  // namespace

int Run(const Invocation& invocation) {
  using Command = int (*)(const Invocation&);
  static const std::pair<std::string_view, Command> kRunners[] = {
      {"import", Import},           {"search", Search},       {"ask", Ask},   {"tickets create", TicketsCreate},
      {"tickets list", TicketsList}, {"tickets show", TicketsShow}, {"download", Download}, {"call", Call},
      {"methods", Methods}, {"serve", Serve}};
  for (const auto& [name, runner] : kRunners) {
    if (name != invocation.command) continue;
    try {
      return runner(invocation);
    } catch (const CallFailed& failure) {
      PrintError(std::cerr, failure.envelope);
      return 1;
    }
  }
  throw UsageError("unknown command '" + invocation.command + "'", "");
}

}  // namespace selfservice::cli
