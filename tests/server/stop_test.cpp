// server::Stop(): a host ends a running Serve from another thread, and a Stop with no Serve
// running does nothing (it does not stop the next Serve before it starts).

#include "http_server.hpp"

#include <cstdint>
#include <future>
#include <memory>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace selfservice::server {
namespace {

namespace net = boost::asio;

// A portal in memory, and Serve of it on a free port of 127.0.0.1 in a thread of its own.
class RunningServer {
 public:
  RunningServer() {
    auto opened = Portal::Open(ServingOptions(PortalOptions{}));
    EXPECT_TRUE(opened.ok());
    portal_ = std::move(opened).value();
    ServerOptions options;
    options.port = 0;
    options.threads = 1;
    options.workers = 1;
    options.on_listening = [this](std::uint16_t port) { listening_.set_value(port); };
    thread_ = std::thread([this, options] { exit_code_.set_value(Serve(*portal_, options)); });
    port_ = listening_.get_future().get();
  }
  ~RunningServer() {
    if (thread_.joinable()) thread_.join();
  }

  std::uint16_t port() const { return port_; }
  // Serve's return value, once it returned.
  int Join() {
    thread_.join();
    return exit_code_.get_future().get();
  }

 private:
  std::unique_ptr<Portal> portal_;
  std::promise<std::uint16_t> listening_;
  std::promise<int> exit_code_;
  std::thread thread_;
  std::uint16_t port_ = 0;
};

// Whether a TCP connection to 127.0.0.1:port is accepted.
bool Connects(std::uint16_t port) {
  net::io_context io;
  net::ip::tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect({net::ip::make_address("127.0.0.1"), port}, ec);
  return !ec;
}

TEST(ServerStopTest, StopEndsARunningServeWhichReturnsZero) {
  RunningServer server;
  ASSERT_NE(server.port(), 0);
  Stop();
  EXPECT_EQ(server.Join(), 0);
}

TEST(ServerStopTest, StopWithNoServeRunningDoesNothing) {
  Stop();
  RunningServer server;
  EXPECT_TRUE(Connects(server.port()));  // still serving: the earlier Stop was not kept for it
  Stop();
  EXPECT_EQ(server.Join(), 0);
}

}  // namespace
}  // namespace selfservice::server
