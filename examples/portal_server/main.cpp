// portal_server: serves a portal's REST API over HTTP/1.1 and WebSocket (docs/SERVER.md).
//
//   portal_server --db portal.db [--port 8080] [--tls-cert cert.pem --tls-key key.pem]
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <boost/program_options.hpp>
#include "http_server.hpp"

namespace po = boost::program_options;
using selfservice::server::ServerOptions;

namespace {

constexpr const char* kUsage =
    "Usage: portal_server [options]\n"
    "Serves the customer portal's REST API (/api/v1/customer-portal/...), its WebSocket of live ticket\n"
    "status, /healthz, /metrics and the OpenAPI document, until SIGINT or SIGTERM.\n\nOptions";

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

int main(int argc, char** argv) {
  ServerOptions server;
  std::string db;
  std::string options_file;
  int port = server.port;
  std::size_t max_body = server.max_body_bytes;
  po::options_description described(kUsage);
  described.add_options()
      ("help,h", "show this help")
      ("version", "print the library version")
      ("db", po::value(&db), "SQLite database file (created when missing); default: the options' storage")
      ("options", po::value(&options_file), "portal options JSON file (docs/API.md); --db overrides its storage")
      ("address", po::value(&server.address)->default_value(server.address), "address to listen on")
      ("port", po::value(&port)->default_value(port), "port to listen on (0: any free port)")
      ("threads", po::value(&server.threads)->default_value(0), "I/O threads (0: one per core)")
      ("workers", po::value(&server.workers)->default_value(0), "threads for slow calls (0: two per core)")
      ("tls-cert", po::value(&server.tls_certificate_file), "PEM certificate chain: serve HTTPS and WSS")
      ("tls-key", po::value(&server.tls_private_key_file), "PEM private key of --tls-cert")
      ("max-body-bytes", po::value(&max_body)->default_value(max_body), "largest JSON request body");
  po::variables_map given;
  try {
    po::store(po::parse_command_line(argc, argv, described), given);
    po::notify(given);
  } catch (const po::error& error) {
    std::cerr << "portal_server: " << error.what() << "\n" << described << "\n";
    return 2;
  }
  if (given.count("help")) {
    std::cout << described << "\n";
    return 0;
  }
  if (given.count("version")) {
    std::cout << "portal_server (libselfservice " << selfservice::Version() << ")\n";
    return 0;
  }
  if (port < 0 || port > 65535) {
    std::cerr << "portal_server: --port must be 0-65535\n";
    return 2;
  }
  server.port = static_cast<std::uint16_t>(port);
  server.max_body_bytes = max_body;

  selfservice::PortalOptions options;
  if (!options_file.empty()) {
    auto text = ReadFile(options_file);
    if (!text) {
      std::cerr << "portal_server: cannot read " << options_file << "\n";
      return 2;
    }
    auto parsed = selfservice::PortalOptions::FromJson(*text);
    if (!parsed.ok()) {
      std::cerr << "portal_server: " << options_file << ": " << selfservice::ErrorEnvelope(parsed.status(), selfservice::Locale::kEnUS)
                << "\n";
      return 2;
    }
    options = std::move(parsed).value();
  }
  if (!db.empty()) options.storage = "sqlite:" + db;
  auto portal = selfservice::Portal::Open(selfservice::server::ServingOptions(std::move(options)));
  if (!portal.ok()) {
    std::cerr << "portal_server: cannot open the portal: "
              << selfservice::ErrorEnvelope(portal.status(), selfservice::Locale::kEnUS) << "\n";
    return 1;
  }
  const bool tls = !server.tls_certificate_file.empty();
  server.on_listening = [&](std::uint16_t bound) {
    std::cout << "listening on " << (tls ? "https" : "http") << "://" << server.address << ":" << bound << std::endl;
  };
  return selfservice::server::Serve(**portal, server);
}
