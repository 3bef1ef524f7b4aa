// Search keywords as the analytics compare them: "  VPN   Timeout " and "vpn timeout" are one query.

#pragma once

#include <string>
#include <string_view>

namespace selfservice {

// Trims `text`, lowercases ASCII letters and turns every run of white space (ASCII, and the
// ideographic space U+3000 of Chinese input methods) into one space. Other characters are kept.
std::string NormalizeKeywords(std::string_view text);

}  // namespace selfservice
