// A stand-in for an SMTP server (RFC 5321, plain, no TLS): enough of the protocol for libcurl's
// smtp:// client (220 greeting, EHLO/HELO, optional AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP,
// QUIT). It runs on 127.0.0.1 with an ephemeral port in a thread of its own, one connection at a
// time, records every message it accepts, and can be told to be unavailable (421 at greeting) or
// to refuse recipients.

#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/fake_http_server.hpp"

namespace selfservice::test {

struct SmtpMessage {
  std::string mail_from;             // the reverse path, without angle brackets
  std::vector<std::string> rcpt_to;  // the forward paths
  std::string data;                  // the message as sent, dot-stuffing undone, CRLF line ends
  std::string auth;                  // the AUTH PLAIN argument (base64), empty without AUTH
};

class FakeSmtpServer {
 public:
  FakeSmtpServer() {
    listener_ = ListenOnLoopback(port_);
    thread_ = std::thread([this] { Serve(); });
  }

  FakeSmtpServer(const FakeSmtpServer&) = delete;
  FakeSmtpServer& operator=(const FakeSmtpServer&) = delete;

  ~FakeSmtpServer() {
    stop_ = true;
    thread_.join();
    ::close(listener_);
  }

  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }

  // Unavailable: every connection gets "421" and is closed (a server that is down, to the client).
  void SetUnavailable(bool unavailable) { unavailable_ = unavailable; }
  // Every RCPT is answered with this reply ("550 5.1.1 no such user"); empty: accepted.
  void SetRcptReply(std::string reply) {
    std::lock_guard lock(mutex_);
    rcpt_reply_ = std::move(reply);
  }

  std::vector<SmtpMessage> messages() const {
    std::lock_guard lock(mutex_);
    return messages_;
  }
  int connections() const { return connections_; }

 private:
  void Serve() {
    while (!stop_) {
      pollfd ready{listener_, POLLIN, 0};
      if (::poll(&ready, 1, 20) <= 0) continue;
      const int connection = ::accept(listener_, nullptr, nullptr);
      if (connection < 0) continue;
      ++connections_;
      Handle(connection);
      ::close(connection);
    }
  }

  static void Say(int connection, const std::string& line) {
    const std::string text = line + "\r\n";
    ::send(connection, text.data(), text.size(), MSG_NOSIGNAL);
  }

  // The next CRLF-terminated line (without it); false when the peer is gone or silent.
  bool ReadLine(int connection, std::string& buffer, std::string& line) {
    char chunk[4096];
    while (true) {
      const std::size_t end = buffer.find("\r\n");
      if (end != std::string::npos) {
        line = buffer.substr(0, end);
        buffer.erase(0, end + 2);
        return true;
      }
      pollfd ready{connection, POLLIN, 0};
      if (::poll(&ready, 1, 2000) <= 0) return false;
      const ssize_t got = ::recv(connection, chunk, sizeof chunk, 0);
      if (got <= 0) return false;
      buffer.append(chunk, static_cast<std::size_t>(got));
    }
  }

  static std::string Upper(std::string text) {
    for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return text;
  }

  // The address between the angle brackets of "MAIL FROM:<a>" / "RCPT TO:<a>".
  static std::string Path(const std::string& line) {
    const std::size_t open = line.find('<');
    const std::size_t close = line.find('>', open);
    return open == std::string::npos || close == std::string::npos ? std::string()
                                                                     : line.substr(open + 1, close - open - 1);
  }

  void Handle(int connection) {
    if (unavailable_) {
      Say(connection, "421 4.3.2 fake: service not available");
      return;
    }
    Say(connection, "220 fake.smtp ESMTP ready");
    std::string buffer;
    std::string line;
    SmtpMessage message;
    while (ReadLine(connection, buffer, line)) {
      const std::string verb = Upper(line.substr(0, 4));
      if (verb == "EHLO") {
        Say(connection, "250-fake.smtp greets you");
        Say(connection, "250-AUTH PLAIN");
        Say(connection, "250 8BITMIME");
      } else if (verb == "HELO") {
        Say(connection, "250 fake.smtp");
      } else if (verb == "AUTH") {
        // "AUTH PLAIN <credentials>", or "AUTH PLAIN" and the credentials on the next line.
        const std::size_t space = line.find(' ', 5);
        if (space != std::string::npos) {
          message.auth = line.substr(space + 1);
        } else {
          Say(connection, "334 ");
          if (!ReadLine(connection, buffer, message.auth)) return;
        }
        Say(connection, "235 2.7.0 authenticated");
      } else if (verb == "MAIL") {
        message = SmtpMessage{Path(line), {}, {}, message.auth};
        Say(connection, "250 2.1.0 ok");
      } else if (verb == "RCPT") {
        std::string reply;
        {
          std::lock_guard lock(mutex_);
          reply = rcpt_reply_;
        }
        if (!reply.empty()) {
          Say(connection, reply);
        } else {
          message.rcpt_to.push_back(Path(line));
          Say(connection, "250 2.1.5 ok");
        }
      } else if (verb == "DATA") {
        Say(connection, "354 end with <CRLF>.<CRLF>");
        while (ReadLine(connection, buffer, line) && line != ".") {
          if (!line.empty() && line[0] == '.') line.erase(0, 1);
          message.data += line + "\r\n";
        }
        {
          std::lock_guard lock(mutex_);
          messages_.push_back(message);
        }
        Say(connection, "250 2.0.0 queued");
      } else if (verb == "RSET" || verb == "NOOP") {
        Say(connection, "250 2.0.0 ok");
      } else if (verb == "QUIT") {
        Say(connection, "221 2.0.0 bye");
        return;
      } else {
        Say(connection, "502 5.5.2 not implemented");
      }
    }
  }

  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<bool> unavailable_{false};
  std::atomic<int> connections_{0};
  mutable std::mutex mutex_;
  std::string rcpt_reply_;
  std::vector<SmtpMessage> messages_;
  std::thread thread_;
};

}  // namespace selfservice::test
