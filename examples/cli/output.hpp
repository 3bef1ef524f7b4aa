// Terminal output of the selfservice command line: aligned tables that count CJK characters as two
// columns, indented JSON, the error envelope as a readable message, and the import progress bar.
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace selfservice::cli {

// Columns a UTF-8 string takes on a terminal: East Asian wide characters count two, combining
// marks none, anything else (including bytes that are not UTF-8) one.
std::size_t DisplayWidth(std::string_view text);

// Rows under a header, each column padded to its widest cell; cells of every column but the last
// are cut to `max_cell_width` columns with an ellipsis, so one long category cannot push the
// titles off the screen. Newlines inside a cell become spaces.
void PrintTable(std::ostream& out, const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows, std::size_t max_cell_width = 40);

// JSON indented by two spaces, for people; scripts get boost::json::serialize.
std::string PrettyJson(const boost::json::value& value);

// A scalar member as text for a table cell: strings unquoted, null and absent as "-".
std::string Text(const boost::json::object& object, std::string_view key);

// Writes a failure envelope to `err`: "selfservice: <message> (code N)", one indented line per
// field error ("field: message [CODE]"), then the trace id a support engineer asks for.
void PrintError(std::ostream& err, const boost::json::object& envelope);

// Whether a stream of this process is a terminal (1: stdout, 2: stderr).
bool IsTerminal(int fd);

// Reports knowledge.import's progress on stderr: a bar redrawn in place on a terminal, else a plain
// line at most every few seconds (and always the last one), or nothing at all when quiet.
class ProgressReporter {
 public:
  enum class Mode { kBar, kLines, kNone };
  // `bytes`: the units are bytes (an import of a file), shown as KiB/MiB; else plain counts.
  ProgressReporter(Mode mode, bool bytes) : mode_(mode), bytes_(bytes) {}
  ~ProgressReporter();
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

  void Report(std::int64_t done, std::int64_t total);
  // Ends a bar left on its line, so that what follows starts on a fresh one.
  void Finish();

 private:
  std::string Amount(std::int64_t done, std::int64_t total) const;

  Mode mode_;
  bool bytes_;
  bool bar_open_ = false;
  bool reported_ = false;
  std::chrono::steady_clock::time_point last_line_;
};

// "3.5 MiB", "812 KiB", "17 B".
std::string Bytes(std::int64_t bytes);

}  // namespace selfservice::cli
