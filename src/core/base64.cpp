#include "core/base64.hpp"

#include <array>
#include <cstdint>

namespace selfservice {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrlAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::array<std::int8_t, 256> DecodeTable(const char* alphabet) {
  std::array<std::int8_t, 256> table{};
  for (auto& entry : table) entry = -1;
  for (int i = 0; i < 64; ++i) table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::int8_t>(i);
  return table;
}

std::string Encode(std::string_view bytes, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const auto n = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16 |
                   static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                   static_cast<unsigned char>(bytes[i + 2]);
    out += alphabet[n >> 18];
    out += alphabet[(n >> 12) & 63];
    out += alphabet[(n >> 6) & 63];
    out += alphabet[n & 63];
  }
  if (const std::size_t rest = bytes.size() - i; rest > 0) {
    std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (rest == 2) n |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    out += alphabet[n >> 18];
    out += alphabet[(n >> 12) & 63];
    if (rest == 2) {
      out += alphabet[(n >> 6) & 63];
    } else if (pad) {
      out += '=';
    }
    if (pad) out += '=';
  }
  return out;
}

}  // namespace

std::string Base64Encode(std::string_view bytes) {
  return Encode(bytes, kAlphabet, true);
}

std::optional<std::string> Base64Decode(std::string_view text) {
  static constexpr auto kTable = DecodeTable(kAlphabet);
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    const int pad = last ? (text[i + 3] == '=') + (text[i + 2] == '=') : 0;
    if (pad == 1 && text[i + 2] == '=') return std::nullopt;
    std::uint32_t n = 0;
    for (int k = 0; k < 4 - pad; ++k) {
      const std::int8_t value = kTable[static_cast<unsigned char>(text[i + static_cast<std::size_t>(k)])];
      if (value < 0) return std::nullopt;
      n |= static_cast<std::uint32_t>(value) << (18 - 6 * k);
    }
    out += static_cast<char>(n >> 16);
    if (pad < 2) out += static_cast<char>((n >> 8) & 0xFF);
    if (pad < 1) out += static_cast<char>(n & 0xFF);
    // Canonical: the bits padding drops must be zero.
    if ((pad == 1 && (n & 0xFF) != 0) || (pad == 2 && (n & 0xFFFF) != 0)) return std::nullopt;
  }
  return out;
}

std::string Base64UrlEncode(std::string_view bytes) {
  return Encode(bytes, kUrlAlphabet, false);
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  static constexpr auto kTable = DecodeTable(kUrlAlphabet);
  // A final group of one character would carry only 6 bits: no byte string encodes to it.
  const std::size_t rest = text.size() % 4;
  if (rest == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3 + 2);
  std::uint32_t n = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const std::int8_t value = kTable[static_cast<unsigned char>(text[i])];
    if (value < 0) return std::nullopt;
    n = n << 6 | static_cast<std::uint32_t>(value);
    if (i % 4 == 3) {
      out += static_cast<char>(n >> 16);
      out += static_cast<char>((n >> 8) & 0xFF);
      out += static_cast<char>(n & 0xFF);
      n = 0;
    }
  }
  // Canonical: the bits after the last whole byte must be zero (4 of them after two characters,
  // 2 after three).
  if (rest == 2) {
    if ((n & 0x0F) != 0) return std::nullopt;
    out += static_cast<char>(n >> 4);
  } else if (rest == 3) {
    if ((n & 0x03) != 0) return std::nullopt;
    out += static_cast<char>(n >> 10);
    out += static_cast<char>((n >> 2) & 0xFF);
  }
  return out;
}

}  // namespace selfservice
