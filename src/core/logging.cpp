#include "core/logging.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "core/redaction.hpp"

namespace selfservice {
namespace {

// The "selfservice" logger with every message passed through Redact before any sink sees it.
// Redacting here, where spdlog hands a message to its sinks, rather than in a sink or formatter,
// also covers sinks added later (tests and hosts push their own onto Log().sinks()) and the
// backtrace, whose dump goes through the same path.
class RedactingLogger final : public spdlog::logger {
 public:
  using spdlog::logger::logger;

  // A clone redacts too.
  std::shared_ptr<spdlog::logger> clone(std::string logger_name) override {
    auto cloned = std::make_shared<RedactingLogger>(*this);
    cloned->name_ = std::move(logger_name);
    return cloned;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const std::string payload = Redact(std::string_view(msg.payload.data(), msg.payload.size()));
    spdlog::details::log_msg redacted = msg;
    redacted.payload = spdlog::string_view_t(payload.data(), payload.size());
    spdlog::logger::sink_it_(redacted);
  }
};

}  // namespace

spdlog::logger& Log() {
  static const std::shared_ptr<spdlog::logger> kLogger = [] {
    auto logger = std::make_shared<RedactingLogger>("selfservice",
                                                    std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    logger->set_level(spdlog::level::warn);
    return logger;
  }();
  return *kLogger;
}

void SetLogLevel(std::string_view level) {
  Log().set_level(spdlog::level::from_str(std::string(level)));
}

}  // namespace selfservice
