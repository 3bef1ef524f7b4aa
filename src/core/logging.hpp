// The library's logger: one spdlog logger named "selfservice", writing to stderr at "warn" unless
// the portal options say otherwise. It is not registered in spdlog's global registry, so a host's
// own loggers and names are never disturbed.

#pragma once

#include <memory>
#include <string_view>

#include <spdlog/logger.h>

namespace selfservice {

spdlog::logger& Log();
void SetLogLevel(std::string_view level);

}  // namespace selfservice
