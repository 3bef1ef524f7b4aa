// ws_client: the WebSocket client of the portal_server end-to-end tests (Debian's curl speaks no
// WebSocket). It subscribes to portal_server's live ticket status and prints what it hears.
//
//   ws_client URL TOKEN [--expect N] [--timeout S] [--ca FILE]
//
// URL is ws://host:port/path?query or wss://...; TOKEN goes in `Authorization: Bearer` (an empty
// TOKEN sends no Authorization header, for a URL carrying ?access_token=). Every text frame is
// printed on a line of its own and flushed at once, so a script can wait for a line; stdout holds
// nothing else. The first frame must be the server's {"type":"subscribed",...}; the client exits 0
// once N more frames (default 0) have arrived, 1 on a timeout (default 10 s for the whole run), a
// refused handshake, a close by the server or any other error (the reason on stderr), 2 for a bad
// command line. wss verifies the server's certificate and name against --ca (default: the
// system's CAs).
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <openssl/ssl.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

constexpr const char* kUsage = "usage: ws_client URL TOKEN [--expect N] [--timeout S] [--ca FILE]\n";

struct Url {
  bool tls = false;
  std::string host;  // without brackets for an IPv6 literal
  std::string port;
  std::string target;  // path and query, "/" at least
};

std::optional<Url> ParseUrl(std::string_view text) {
  Url url;
  if (text.substr(0, 5) == "ws://") {
    text.remove_prefix(5);
  } else if (text.substr(0, 6) == "wss://") {
    url.tls = true;
    text.remove_prefix(6);
  } else {
    return std::nullopt;
  }
  const std::size_t slash = text.find('/');
  std::string_view authority = text.substr(0, slash);
  url.target = slash == std::string_view::npos ? "/" : std::string(text.substr(slash));
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port = rest.substr(1);
    }
  } else {
    const std::size_t colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (url.host.empty()) return std::nullopt;
  url.port = port.empty() ? (url.tls ? "443" : "80") : std::string(port);
  return url;
}

std::optional<long> PositiveNumber(std::string_view text, long minimum) {
  char* end = nullptr;
  const std::string copy(text);
  const long value = std::strtol(copy.c_str(), &end, 10);
  if (copy.empty() || *end != '\0' || value < minimum) return std::nullopt;
  return value;
}

bool IsSubscribed(std::string_view frame) {
  return frame.find("\"type\":\"subscribed\"") != std::string_view::npos;
}

// One run of the client over a WebSocket on `Stream` (a TCP stream, or TLS over one). The caller
// has connected the lowest layer (and shaken hands for TLS); Run does the WebSocket part.
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  // `stop` ends the run (io_context::stop): called once the session failed or closed.
  Session(websocket::stream<Stream>& ws, const Url& url, std::string token, long expect, std::string& failure,
          std::function<void()> stop)
      : ws_(ws),
        url_(url),
        token_(std::move(token)),
        expect_(expect),
        failure_(failure),
        stop_(std::move(stop)) {}

  void Run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    ws_.set_option(websocket::stream_base::decorator([token = token_](websocket::request_type& request) {
      request.set(http::field::user_agent, "ws_client (libselfservice e2e tests)");
      if (!token.empty()) request.set(http::field::authorization, "Bearer " + token);
    }));
    const bool default_port = url_.port == (url_.tls ? "443" : "80");
    const std::string host = (url_.host.find(':') != std::string::npos ? "[" + url_.host + "]" : url_.host) +
                             (default_port ? "" : ":" + url_.port);
    ws_.async_handshake(response_, host, url_.target,
                        beast::bind_front_handler(&Session::OnHandshake, this->shared_from_this()));
  }

  bool succeeded() const { return succeeded_; }

 private:
  void OnHandshake(beast::error_code ec) {
    if (ec) {
      failure_ = "handshake refused: " + ec.message();
      if (response_.result_int() != 0) failure_ += " (HTTP " + std::to_string(response_.result_int()) + ")";
      return stop_();
    }
    Read();
  }

  void Read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&Session::OnRead, this->shared_from_this()));
  }

  void OnRead(beast::error_code ec, std::size_t) {
    if (ec == websocket::error::closed) {
      const auto& reason = ws_.reason();
      failure_ = "closed by the server (code " + std::to_string(reason.code) + ")";
      return stop_();
    }
    if (ec) {
      failure_ = "read failed: " + ec.message();
      return stop_();
    }
    if (!ws_.got_text()) {
      buffer_.consume(buffer_.size());
      return Read();
    }
    const std::string frame = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    std::cout << frame << std::endl;  // endl flushes: a script waits for this line
    if (!subscribed_) {
      if (!IsSubscribed(frame)) {
        failure_ = "the first frame is not {\"type\":\"subscribed\",...}";
        return stop_();
      }
      subscribed_ = true;
    } else {
      ++received_;
    }
    if (received_ < expect_) return Read();
    succeeded_ = true;
    ws_.async_close(websocket::close_code::normal,
                    [self = this->shared_from_this()](beast::error_code) { self->stop_(); });
  }

  websocket::stream<Stream>& ws_;
  const Url& url_;
  std::string token_;
  long expect_;
  std::string& failure_;
  std::function<void()> stop_;
  websocket::response_type response_;
  beast::flat_buffer buffer_;
  bool subscribed_ = false;
  long received_ = 0;
  bool succeeded_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << kUsage;
    return 2;
  }
  const std::optional<Url> url = ParseUrl(argv[1]);
  if (!url) {
    std::cerr << "ws_client: not a ws:// or wss:// URL: " << argv[1] << "\n" << kUsage;
    return 2;
  }
  const std::string token = argv[2];
  long expect = 0;
  long timeout = 10;
  std::string ca_file;
  for (int i = 3; i < argc; ++i) {
    const std::string_view option = argv[i];
    if (i + 1 >= argc) {
      std::cerr << "ws_client: " << option << " needs a value\n" << kUsage;
      return 2;
    }
    const std::string_view value = argv[++i];
    std::optional<long> number;
    if (option == "--expect" && (number = PositiveNumber(value, 0))) {
      expect = *number;
    } else if (option == "--timeout" && (number = PositiveNumber(value, 1))) {
      timeout = *number;
    } else if (option == "--ca") {
      ca_file = value;
    } else {
      std::cerr << "ws_client: bad option " << option << " " << value << "\n" << kUsage;
      return 2;
    }
  }

  net::io_context io;
  std::string failure;
  net::steady_timer deadline(io, std::chrono::seconds(timeout));
  deadline.async_wait([&](beast::error_code ec) {
    if (ec) return;
    failure = "timed out after " + std::to_string(timeout) + " s";
    io.stop();
  });

  tcp::resolver resolver(io);
  beast::error_code ec;
  const auto endpoints = resolver.resolve(url->host, url->port, ec);
  if (ec) {
    std::cerr << "ws_client: cannot resolve " << url->host << ": " << ec.message() << "\n";
    return 1;
  }

  // Each branch connects, then hands the stream to a Session and runs until it is done: all of
  // it on this one thread, so io.stop() (the deadline's, or the session's when it ends) leaves
  // nothing running.
  const std::function<void()> stop = [&io] { io.stop(); };
  std::optional<ssl::context> tls;
  std::optional<websocket::stream<beast::tcp_stream>> plain_ws;
  std::optional<websocket::stream<beast::ssl_stream<beast::tcp_stream>>> tls_ws;
  std::function<bool()> finished;
  if (!url->tls) {
    plain_ws.emplace(io);
    beast::get_lowest_layer(*plain_ws).async_connect(
        endpoints, [&](beast::error_code error, const tcp::endpoint&) {
          if (error) {
            failure = "cannot connect: " + error.message();
            return stop();
          }
          auto session =
              std::make_shared<Session<beast::tcp_stream>>(*plain_ws, *url, token, expect, failure, stop);
          finished = [session] { return session->succeeded(); };
          session->Run();
        });
  } else {
    tls.emplace(ssl::context::tls_client);
    tls->set_verify_mode(ssl::verify_peer);
    if (ca_file.empty()) {
      tls->set_default_verify_paths(ec);
    } else {
      tls->load_verify_file(ca_file, ec);
    }
    if (ec) {
      std::cerr << "ws_client: cannot load the CA certificates: " << ec.message() << "\n";
      return 1;
    }
    tls->set_verify_callback(ssl::host_name_verification(url->host));
    tls_ws.emplace(io, *tls);
    beast::error_code not_an_address;  // SNI carries host names only
    net::ip::make_address(url->host, not_an_address);
    if (not_an_address &&
        !SSL_set_tlsext_host_name(tls_ws->next_layer().native_handle(), url->host.c_str())) {
      std::cerr << "ws_client: cannot set the TLS server name\n";
      return 1;
    }
    beast::get_lowest_layer(*tls_ws).async_connect(endpoints, [&](beast::error_code error,
                                                                  const tcp::endpoint&) {
      if (error) {
        failure = "cannot connect: " + error.message();
        return stop();
      }
      beast::get_lowest_layer(*tls_ws).expires_after(std::chrono::seconds(timeout));
      tls_ws->next_layer().async_handshake(ssl::stream_base::client, [&](beast::error_code handshake_error) {
        if (handshake_error) {
          failure = "TLS handshake failed: " + handshake_error.message();
          return stop();
        }
        beast::get_lowest_layer(*tls_ws).expires_never();  // the WebSocket keeps its own timeouts
        auto session = std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(*tls_ws, *url, token,
                                                                                       expect, failure, stop);
        finished = [session] { return session->succeeded(); };
        session->Run();
      });
    });
  }
  io.run();
  const bool succeeded = finished && finished();
  finished = nullptr;  // lets the session go before the streams it refers to
  if (succeeded) return 0;
  std::cerr << "ws_client: " << (failure.empty() ? std::string("the connection ended early") : failure)
            << "\n";
  return 1;
}
