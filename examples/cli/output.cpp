#include "output.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <sstream>

#include <boost/json/serialize.hpp>

namespace selfservice::cli {
namespace json = boost::json;
namespace {

// Decodes the UTF-8 sequence at `text[i]`, advancing `i`; a malformed byte is taken as itself.
char32_t NextCodePoint(std::string_view text, std::size_t& i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  const int length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 0;
  if (length <= 1 || i + static_cast<std::size_t>(length) > text.size()) {
    ++i;
    return lead;
  }
  char32_t code = lead & (0x7F >> length);
  for (int k = 1; k < length; ++k) {
    const auto next = static_cast<unsigned char>(text[i + static_cast<std::size_t>(k)]);
    if ((next & 0xC0) != 0x80) {
      ++i;
      return lead;
    }
    code = (code << 6) | (next & 0x3F);
  }
  i += static_cast<std::size_t>(length);
  return code;
}

int CodePointWidth(char32_t c) {
  if (c >= 0x300 && c <= 0x36F) return 0;  // combining diacritical marks
  const bool wide = (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF && c != 0x303F) ||
                    (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE30 && c <= 0xFE4F) ||
                    (c >= 0xFF00 && c <= 0xFF60) || (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) ||
                    (c >= 0x20000 && c <= 0x3FFFD);
  return wide ? 2 : 1;
}

// `text` on one line, cut to at most `width` columns (the last one an ellipsis when cut).
std::string Cell(std::string_view text, std::size_t width) {
  std::string flat(text);
  std::replace(flat.begin(), flat.end(), '\n', ' ');
  std::replace(flat.begin(), flat.end(), '\r', ' ');
  std::replace(flat.begin(), flat.end(), '\t', ' ');
  if (DisplayWidth(flat) <= width) return flat;
  std::size_t used = 0;
  std::size_t i = 0;
  while (i < flat.size()) {
    std::size_t next = i;
    const int w = CodePointWidth(NextCodePoint(flat, next));
    if (used + static_cast<std::size_t>(w) + 1 > width) break;
    used += static_cast<std::size_t>(w);
    i = next;
  }
  return flat.substr(0, i) + "\u2026";
}

void Pretty(std::ostringstream& out, const json::value& value, int depth) {
  const std::string indent(static_cast<std::size_t>(depth + 1) * 2, ' ');
  const std::string closing(static_cast<std::size_t>(depth) * 2, ' ');
  if (value.is_object() && !value.get_object().empty()) {
    out << "{\n";
    bool first = true;
    for (const auto& member : value.get_object()) {
      if (!first) out << ",\n";
      first = false;
      out << indent << json::serialize(json::string(member.key())) << ": ";
      Pretty(out, member.value(), depth + 1);
    }
    out << '\n' << closing << '}';
  } else if (value.is_array() && !value.get_array().empty()) {
    out << "[\n";
    bool first = true;
    for (const auto& item : value.get_array()) {
      if (!first) out << ",\n";
      first = false;
      out << indent;
      Pretty(out, item, depth + 1);
    }
    out << '\n' << closing << ']';
  } else {
    out << json::serialize(value);
  }
}

}  // namespace

std::size_t DisplayWidth(std::string_view text) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < text.size();) width += static_cast<std::size_t>(CodePointWidth(NextCodePoint(text, i)));
  return width;
}

void PrintTable(std::ostream& out, const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows, std::size_t max_cell_width) {
  const std::size_t columns = header.size();
  std::vector<std::vector<std::string>> cells;
  cells.reserve(rows.size() + 1);
  cells.push_back(header);
  for (const auto& row : rows) {
    std::vector<std::string> line;
    for (std::size_t c = 0; c < columns; ++c) {
      const std::string value = c < row.size() ? row[c] : std::string();
      line.push_back(Cell(value, c + 1 < columns ? max_cell_width : std::string::npos));
    }
    cells.push_back(std::move(line));
  }
  std::vector<std::size_t> widths(columns, 0);
  for (const auto& line : cells) {
    for (std::size_t c = 0; c < columns; ++c) widths[c] = std::max(widths[c], DisplayWidth(line[c]));
  }
  for (const auto& line : cells) {
    std::string text;
    for (std::size_t c = 0; c < columns; ++c) {
      text += line[c];
      if (c + 1 < columns) text += std::string(widths[c] - DisplayWidth(line[c]) + 2, ' ');
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out << text << '\n';
  }
}

std::string PrettyJson(const json::value& value) {
  std::ostringstream out;
  Pretty(out, value, 0);
  return out.str();
}

std::string Text(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr || value->is_null()) return "-";
  if (value->is_string()) return std::string(value->get_string());
  if (value->is_array()) {
    std::string joined;
    for (const auto& item : value->get_array()) {
      if (!joined.empty()) joined += ", ";
      joined += item.is_string() ? std::string(item.get_string()) : json::serialize(item);
    }
    return joined.empty() ? "-" : joined;
  }
  return json::serialize(*value);
}

void PrintError(std::ostream& err, const json::object& envelope) {
  err << "selfservice: " << Text(envelope, "message") << " (code " << Text(envelope, "code") << ")\n";
  if (const json::value* errors = envelope.if_contains("errors"); errors != nullptr && errors->is_array()) {
    for (const auto& item : errors->get_array()) {
      if (!item.is_object()) continue;
      const json::object& error = item.get_object();
      err << "  " << Text(error, "field") << ": " << Text(error, "message") << " [" << Text(error, "code") << "]\n";
    }
  }
  if (const json::value* retry = envelope.if_contains("retry_after"); retry != nullptr) {
    err << "  retry after " << json::serialize(*retry) << " s\n";
  }
  if (envelope.contains("trace_id")) err << "  trace id: " << Text(envelope, "trace_id") << '\n';
}

bool IsTerminal(int fd) { return ::isatty(fd) == 1; }

std::string Bytes(std::int64_t bytes) {
  char text[32];
  if (bytes >= 1024 * 1024) {
    std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  } else if (bytes >= 1024) {
    std::snprintf(text, sizeof text, "%.0f KiB", static_cast<double>(bytes) / 1024.0);
  } else {
    std::snprintf(text, sizeof text, "%lld B", static_cast<long long>(bytes));
  }
  return text;
}

ProgressReporter::~ProgressReporter() { Finish(); }

std::string ProgressReporter::Amount(std::int64_t done, std::int64_t total) const {
  if (bytes_) return Bytes(done) + " of " + Bytes(total);
  return std::to_string(done) + " of " + std::to_string(total);
}

void ProgressReporter::Report(std::int64_t done, std::int64_t total) {
  if (mode_ == Mode::kNone) return;
  const int percent = total > 0 ? static_cast<int>(done * 100 / total) : 100;
  if (mode_ == Mode::kBar) {
    constexpr int kWidth = 30;
    const int filled = percent * kWidth / 100;
    std::cerr << "\rimporting [" << std::string(static_cast<std::size_t>(filled), '#')
              << std::string(static_cast<std::size_t>(kWidth - filled), '-') << "] " << percent << "%  "
              << Amount(done, total) << "   " << std::flush;
    bar_open_ = true;
    return;
  }
  // Lines for logs and pipes: the first, then one every few seconds, and always the last.
  const auto now = std::chrono::steady_clock::now();
  if (reported_ && done < total && now - last_line_ < std::chrono::seconds(2)) return;
  std::cerr << "importing: " << percent << "% (" << Amount(done, total) << ")\n";
  reported_ = true;
  last_line_ = now;
}

void ProgressReporter::Finish() {
  if (bar_open_) std::cerr << '\n' << std::flush;
  bar_open_ = false;
}

}  // namespace selfservice::cli
