// Download: the bytes of one file the portal serves (a ticket attachment, a document), or of a
// range of it, read in order as they are stored, without base64 and without holding the file in
// memory. Portal::OpenDownload opens one after the same checks as Invoke (caller, role, feature,
// rate limit, tenant and owner scope); selfservice_download_open() is its C form.
//
// A Download holds the blob store it reads from, not the Portal: it stays readable after the
// Portal that opened it is destroyed. It is not thread-safe: one thread reads it at a time.

#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "selfservice/blob_store.hpp"
#include "selfservice/clock.hpp"
#include "selfservice/context.hpp"
#include "selfservice/status.hpp"

namespace selfservice {

class Download {
 public:
  // The blob `key` of `size` bytes, read from `offset` for `length` bytes. `sha256` (64 hex
  // digits, or empty for none) is checked when the range is the whole file. `locale`, `trace_id`,
  // `clock` and `help_url_base` make the envelope of a failed read.
  struct Source {
    std::shared_ptr<BlobStore> blobs;
    std::string key;
    std::int64_t size = 0;
    std::int64_t offset = 0;
    std::int64_t length = 0;
    std::string sha256;
    Locale locale = Locale::kZhCN;
    std::string trace_id;
    std::shared_ptr<Clock> clock;
    std::string help_url_base;
  };

  explicit Download(Source source);
  ~Download();
  Download(const Download&) = delete;
  Download& operator=(const Download&) = delete;

  std::int64_t size() const;      // of the whole file
  std::int64_t offset() const;    // where the range starts
  std::int64_t length() const;    // of the range
  std::int64_t position() const;  // bytes of the range read so far

  // Reads up to `capacity` bytes of the range into `buffer`, in order; 0 at its end (and for a
  // zero capacity). Fails with 10004 when the file was deleted while being read, and 20003
  // (STORAGE_FAILED) when the store fails, the file is shorter than recorded, or, for a read of
  // the whole file, its bytes do not match the SHA-256 recorded when it was uploaded (the read
  // that would deliver the last byte fails instead). After a failure every read fails the same way.
  Result<std::size_t> Read(char* buffer, std::size_t capacity) noexcept;

  // The error envelope of `status` in the locale and with the trace id of the call that opened
  // this download.
  std::string ErrorEnvelope(const Status& status) const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace selfservice
