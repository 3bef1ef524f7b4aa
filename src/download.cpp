#include "selfservice/download.hpp"

#include <algorithm>
#include <cstring>
#include <optional>

#include <boost/json/serialize.hpp>

#include "core/envelope.hpp"
#include "core/logging.hpp"
#include "core/sha256.hpp"

namespace selfservice {

struct Download::State {
  Source source;
  std::int64_t position = 0;
  // Set for a read of the whole file with a recorded digest: checked before the last byte goes out.
  std::optional<Sha256> digest;
  Status failure;  // sticky: a download that failed once fails every read
};

Download::Download(Source source) : state_(std::make_unique<State>()) {
  state_->source = std::move(source);
  if (!state_->source.clock) state_->source.clock = Clock::System();
  const Source& s = state_->source;
  if (s.offset == 0 && s.length == s.size && !s.sha256.empty()) state_->digest.emplace();
}

Download::~Download() = default;

std::int64_t Download::size() const { return state_->source.size; }
std::int64_t Download::offset() const { return state_->source.offset; }
std::int64_t Download::length() const { return state_->source.length; }
std::int64_t Download::position() const { return state_->position; }

Result<std::size_t> Download::Read(char* buffer, std::size_t capacity) noexcept {
  State& state = *state_;
  if (!state.failure.ok()) return state.failure;
  const Source& source = state.source;
  const std::int64_t remaining = source.length - state.position;
  if (remaining <= 0 || capacity == 0) return std::size_t{0};
  const std::int64_t at = source.offset + state.position;
  auto fail = [&](Status status) -> Result<std::size_t> {
    state.failure = std::move(status);
    return state.failure;
  };
  auto read_failed = [&] {
    return Status::WithErrors(ErrorCode::kUploadFailed,
                              {FieldError{"file", field_code::kReadFailed, {{"offset", std::to_string(at)}}}},
                              field_code::kReadFailed, true);
  };
  try {
    const std::int64_t want = std::min<std::int64_t>(remaining, static_cast<std::int64_t>(capacity));
    auto bytes = source.blobs->Read(source.key, at, want);
    if (!bytes.ok()) {
      if (bytes.status().code() == ErrorCode::kNotFound) return fail(Status::NotFound("file"));
      Log().warn("download of {} failed at offset {}: {} (trace {})", source.key, at, bytes.status().detail(),
                 source.trace_id);
      return fail(read_failed());
    }
    // The store answers fewer bytes only at the blob's end: this one is shorter than recorded.
    if (bytes->empty() || static_cast<std::int64_t>(bytes->size()) > want) {
      Log().warn("download of {}: the blob ends at {}, before its recorded size {} (trace {})", source.key, at,
                 source.size, source.trace_id);
      return fail(read_failed());
    }
    if (state.digest) {
      state.digest->Update(*bytes);
      const bool last = state.position + static_cast<std::int64_t>(bytes->size()) == source.length;
      if (last && state.digest->HexDigest() != source.sha256) {
        Log().error("download of {}: the blob does not match its recorded SHA-256 (trace {})", source.key,
                    source.trace_id);
        return fail(Status::WithErrors(ErrorCode::kUploadFailed, {FieldError{"file", field_code::kFileCorrupt, {}}},
                                       field_code::kFileCorrupt));
      }
    }
    std::memcpy(buffer, bytes->data(), bytes->size());
    state.position += static_cast<std::int64_t>(bytes->size());
    return bytes->size();
  } catch (const std::exception& error) {
    Log().error("download of {} failed: {} (trace {})", source.key, error.what(), source.trace_id);
  } catch (...) {
    Log().error("download of {} failed (trace {})", source.key, source.trace_id);
  }
  return fail(read_failed());
}

std::string Download::ErrorEnvelope(const Status& status) const {
  const Source& source = state_->source;
  return boost::json::serialize(
      FailureEnvelope(status, source.trace_id, source.locale, source.clock->NowMillis(), source.help_url_base));
}

}  // namespace selfservice
