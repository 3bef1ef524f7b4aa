#include "engine/event_recorder.hpp"

#include <exception>
#include <utility>
#include "core/logging.hpp"

namespace selfservice {

EventRecorder::EventRecorder(Store& store, std::chrono::milliseconds write_behind)
    : store_(store), interval_(write_behind) {
  if (interval_.count() > 0) writer_ = std::thread([this] { Run(); });
}

EventRecorder::~EventRecorder() {
  if (writer_.joinable()) {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    writer_.join();
  }
  Flush();
}

Status EventRecorder::Record(const RequestContext& context, BehaviorEvent event) {
  if (interval_.count() <= 0) return store_.analytics().Append(Scope(context), {std::move(event)});
  Pending full;
  {
    std::lock_guard lock(mutex_);
    TenantBatch& batch = pending_[context.tenant_id];
    if (batch.events.empty()) batch.owner = context;
    batch.events.push_back(std::move(event));
    if (++queued_ >= kMaxQueued) {
      full.swap(pending_);
      queued_ = 0;
    }
  }
  if (!full.empty()) Write(std::move(full));
  return Status::Ok();
}

void EventRecorder::Flush() {
  Pending batches;
  {
    std::lock_guard lock(mutex_);
    batches.swap(pending_);
    queued_ = 0;
  }
  Write(std::move(batches));
}

void EventRecorder::Write(Pending batches) {
  for (auto& [tenant, batch] : batches) {
    try {
      if (Status written = store_.analytics().Append(Scope(batch.owner), batch.events); !written.ok()) {
        Log().warn("{} behaviour events of tenant {} not recorded: {}", batch.events.size(), tenant, written.detail());
      }
    } catch (const std::exception& error) {
      Log().warn("{} behaviour events of tenant {} not recorded: {}", batch.events.size(), tenant, error.what());
    }
  }
}

void EventRecorder::Run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
    Pending batches;
    batches.swap(pending_);
    queued_ = 0;
    lock.unlock();
    Write(std::move(batches));
    lock.lock();
  }
}

}  // namespace selfservice
