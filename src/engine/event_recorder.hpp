// EventRecorder: writes the behaviour events the engines observe on their own (a search, a click
// on a search hit, a question to the assistant) to the store's AnalyticsRepository.
//
// With no write-behind interval (the default) Record writes at once, one transaction per event.
// With an interval ("analytics": {"write_behind_ms"}) Record queues the event and a thread of its
// own writes everything queued once per interval, one transaction per tenant: a busy portal pays
// one commit per interval instead of one per search (docs/PERFORMANCE.md, "portal_server under
// load"). The price: analytics lag the calls by up to one interval, and the events of the last
// interval are lost if the process dies. The destructor writes what is queued.
//
// Thread safety: Record and Flush may be called from any thread.
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>
#include "selfservice/context.hpp"
#include "selfservice/repository.hpp"

namespace selfservice {

class EventRecorder {
 public:
  EventRecorder(Store& store, std::chrono::milliseconds write_behind);
  ~EventRecorder();
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  // Writes (or queues) `event` of the caller `context`; the event must be valid (Validate). A
  // queued event's write failure is logged, never reported to its caller.
  Status Record(const RequestContext& context, BehaviorEvent event);
  // Writes what is queued now, on the calling thread.
  void Flush();

 private:
  // The queued events of one tenant, and a caller of that tenant to scope their write.
  struct TenantBatch {
    RequestContext owner;
    std::vector<BehaviorEvent> events;
  };
  using Pending = std::unordered_map<std::int64_t, TenantBatch>;

  void Write(Pending batches);
  void Run();

  // A queue this long is written by the caller that fills it, so a stalled writer thread cannot
  // grow it without bound.
  static constexpr std::size_t kMaxQueued = 4096;

  Store& store_;
  const std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  Pending pending_;
  std::size_t queued_ = 0;
  bool stopping_ = false;
  std::thread writer_;  // only with an interval
};

}  // namespace selfservice
