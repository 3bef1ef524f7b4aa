#include "core/logging.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace selfservice {

spdlog::logger& Log() {
  static const std::shared_ptr<spdlog::logger> kLogger = [] {
    auto logger = std::make_shared<spdlog::logger>("selfservice",
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
