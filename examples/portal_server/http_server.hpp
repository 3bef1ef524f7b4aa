// portal_server: the reference HTTP/1.1 + WebSocket host of the REST API of REQ-019 section 4.1,
// on Boost.Beast. Every route comes from the dispatch table (Portal::Methods()); nothing here lists
// routes a second time. The `portal_server` program and `selfservice serve` both run it.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include "selfservice/portal.hpp"

namespace selfservice::server {

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: any free port (the bound one is reported by `on_listening`)
  int threads = 0;            // I/O threads; 0: one per core
  int workers = 0;            // threads for slow calls (sign-in, writes, AI); 0: two per core
  // TLS when both are set (PEM files): TLS 1.2 and 1.3 only.
  std::string tls_certificate_file;
  std::string tls_private_key_file;
  std::size_t max_body_bytes = 1024 * 1024;              // a JSON request body
  std::size_t max_upload_chunk_bytes = 16 * 1024 * 1024;  // one PATCH of an attachment upload
  std::chrono::seconds request_timeout{30};  // reading one request, writing one response
  std::chrono::seconds idle_timeout{60};     // a keep-alive connection with no request
  std::chrono::seconds shutdown_grace{10};   // in-flight requests finish within this on SIGTERM
  // Called once the listener is bound, with the port it is bound to.
  std::function<void(std::uint16_t port)> on_listening;
};

// The portal options a server must use whatever it is given: only access tokens name callers
// (trust_host_context false) and every call is rate limited (the defaults of docs/SECURITY.md
// unless the options set their own); and, unless the options say otherwise, the events searches
// record are written behind, every 50 ms (PortalOptions::analytics_write_behind_ms).
PortalOptions ServingOptions(PortalOptions options);

// Serves `portal` until SIGINT or SIGTERM (or Stop), then shuts down gracefully: stops accepting,
// lets in-flight requests finish within `shutdown_grace`, closes WebSockets with 1001 (going away).
// Returns 0, or 1 with the reason on stderr when it cannot listen (address in use, bad TLS files).
int Serve(Portal& portal, const ServerOptions& options);

// Asks a running Serve to shut down as SIGTERM would; safe from any thread (not from a signal
// handler: Serve handles SIGINT and SIGTERM itself). Does nothing when no Serve runs.
void Stop();

}  // namespace selfservice::server
