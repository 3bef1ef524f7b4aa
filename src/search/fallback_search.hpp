// FallbackSearch: a SearchBackend decorator that puts a remote engine behind a circuit breaker
// and answers from a second engine (the local one) when the remote one is failing, slow, or cut
// off by the breaker. The degradation is data on the answer (degraded, backend, fallback_reason;
// docs/RESILIENCE.md), never an error while the fallback answers.
//
// Thread safety: as safe as the two backends, which the port requires to be thread-safe; the
// breaker is. Must not throw, and does not unless a backend does.

#pragma once

#include <memory>
#include <string_view>

#include "selfservice/circuit_breaker.hpp"
#include "selfservice/search.hpp"

namespace selfservice::search {

class FallbackSearch final : public SearchBackend {
 public:
  // None of the three is owned: each must outlive the decorator.
  FallbackSearch(SearchBackend& primary, SearchBackend& fallback, CircuitBreaker& breaker)
      : primary_(primary), fallback_(fallback), breaker_(breaker) {}

  // The primary's name: the engine this decorator stands for.
  std::string_view name() const override { return primary_.name(); }

  // The primary's answer (backend = its name, not degraded), or, when the breaker refuses or the
  // primary fails (CountsAsFailure), the fallback's answer with degraded = true, backend = the
  // fallback's name and fallback_reason "breaker_open", "error" or "slow". A caller error of the
  // primary (10001, ...) is returned as is; a failure of the fallback too is its status.
  Result<SearchResult> Search(const Scope& scope, const SearchQuery& query) override;

 private:
  SearchBackend& primary_;
  SearchBackend& fallback_;
  CircuitBreaker& breaker_;
};

}  // namespace selfservice::search
