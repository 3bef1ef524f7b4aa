// A stand-in for a remote HTTP service (an Elasticsearch node, the platform's knowledge base): a
// blocking HTTP/1.1 server on 127.0.0.1 with an ephemeral port, run in a thread by the test itself.
// It records every request and answers what the test's handler says, which may be late (for
// timeouts), truncated, or garbage. One connection at a time, "Connection: close" on every answer;
// enough for one client.

#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace selfservice::test {

// A listening TCP socket on 127.0.0.1 with an ephemeral port, which goes to `port`; what every
// stand-in server of the tests accepts connections on.
inline int ListenOnLoopback(int& port) {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  if (listener < 0) throw std::runtime_error("socket failed");
  int one = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listener, 16) != 0 ||
      ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(listener);
    throw std::runtime_error("bind/listen failed");
  }
  port = ntohs(address.sin_port);
  return listener;
}

struct RecordedRequest {
  std::string method;
  std::string target;                          // path and query, as sent
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;

  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct Reply {
  int status = 200;
  std::string body = "{}";
  std::string content_type = "application/json";
  std::int64_t delay_ms = 0;  // wait this long before answering
  bool truncated = false;     // announce more bytes than sent, then hang up
};

class FakeHttpServer {
 public:
  using Handler = std::function<Reply(const RecordedRequest&)>;

  FakeHttpServer() {
    listener_ = ListenOnLoopback(port_);
    thread_ = std::thread([this] { Serve(); });
  }

  FakeHttpServer(const FakeHttpServer&) = delete;
  FakeHttpServer& operator=(const FakeHttpServer&) = delete;

  ~FakeHttpServer() {
    stop_ = true;
    thread_.join();
    ::close(listener_);
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  void SetHandler(Handler handler) {
    std::lock_guard lock(mutex_);
    handler_ = std::move(handler);
  }
  // Answers every request with `reply`.
  void AlwaysReply(Reply reply) {
    SetHandler([reply](const RecordedRequest&) { return reply; });
  }

  std::vector<RecordedRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  void Serve() {
    while (!stop_) {
      pollfd ready{listener_, POLLIN, 0};
      if (::poll(&ready, 1, 20) <= 0) continue;
      const int connection = ::accept(listener_, nullptr, nullptr);
      if (connection < 0) continue;
      Handle(connection);
      ::close(connection);
    }
  }

  // Reads into `buffer` until done() holds; false when the peer is gone (or silent) first.
  bool ReadUntil(int connection, std::string& buffer, const std::function<bool()>& done) {
    char chunk[4096];
    while (!done()) {
      pollfd ready{connection, POLLIN, 0};
      if (::poll(&ready, 1, 2000) <= 0) return false;
      const ssize_t got = ::recv(connection, chunk, sizeof chunk, 0);
      if (got <= 0) return false;
      buffer.append(chunk, static_cast<std::size_t>(got));
    }
    return true;
  }

  void Handle(int connection) {
    std::string buffer;
    if (!ReadUntil(connection, buffer, [&] { return buffer.find("\r\n\r\n") != std::string::npos; })) return;
    const std::size_t head_end = buffer.find("\r\n\r\n");
    RecordedRequest request;
    std::size_t line_end = buffer.find("\r\n");
    const std::string request_line = buffer.substr(0, line_end);
    const std::size_t first_space = request_line.find(' ');
    const std::size_t second_space = request_line.find(' ', first_space + 1);
    request.method = request_line.substr(0, first_space);
    request.target = request_line.substr(first_space + 1, second_space - first_space - 1);
    std::size_t position = line_end + 2;
    while (position < head_end) {
      line_end = buffer.find("\r\n", position);
      const std::string line = buffer.substr(position, line_end - position);
      const std::size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return std::tolower(c); });
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        request.headers[name] = value;
      }
      position = line_end + 2;
    }
    const std::size_t length =
        request.headers.count("content-length") ? std::stoul(request.headers["content-length"]) : 0;
    if (!ReadUntil(connection, buffer, [&] { return buffer.size() >= head_end + 4 + length; })) return;
    request.body = buffer.substr(head_end + 4, length);

    Handler handler;
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(request);
      handler = handler_;
    }
    const Reply reply = handler ? handler(request) : Reply{};
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(reply.delay_ms);
    while (!stop_ && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    const std::size_t announced = reply.body.size() + (reply.truncated ? 100 : 0);
    std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " " + Reason(reply.status) + "\r\n" +
                      "Content-Type: " + reply.content_type + "\r\n" +
                      "Content-Length: " + std::to_string(announced) + "\r\nConnection: close\r\n\r\n";
    if (request.method != "HEAD") out += reply.body;
    ::send(connection, out.data(), out.size(), MSG_NOSIGNAL);  // the client may be gone: no SIGPIPE
  }

  static std::string Reason(int status) {
    switch (status) {
      case 200: return "OK";
      case 201: return "Created";
      case 400: return "Bad Request";
      case 401: return "Unauthorized";
      case 403: return "Forbidden";
      case 404: return "Not Found";
      case 429: return "Too Many Requests";
      case 500: return "Internal Server Error";
      case 503: return "Service Unavailable";
      default: return "Status";
    }
  }

  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mutex_;
  Handler handler_;
  std::vector<RecordedRequest> requests_;
};

// A loopback URL where nothing listens: the port of a socket bound and closed at once.
inline std::string ClosedPortUrl() {
  const int probe = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ::bind(probe, reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::getsockname(probe, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(probe);
  return "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port));
}

}  // namespace selfservice::test
