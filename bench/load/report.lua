-- wrk script of bench/load/run.sh, used for every run (nginx and portal_server alike).
--
-- The bearer token comes from the environment (BENCH_TOKEN), not from a `-H` argument, so it never
-- shows in `ps` or in the printed command lines; without it no Authorization header is sent.
--
-- done() prints one machine-readable line that run.sh reads instead of parsing wrk's human text:
--   BENCH_RESULT requests=N duration_us=N p50_us=N p99_us=N non2xx=N connect=N read=N write=N timeout=N
-- non2xx is wrk's "Non-2xx or 3xx responses" count (every status >= 400); the other four are its
-- socket errors ("timeout" counts the requests that got no answer within wrk's --timeout).

local token = os.getenv("BENCH_TOKEN")
if token ~= nil and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "BENCH_RESULT requests=%d duration_us=%d p50_us=%.0f p99_us=%.0f non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    errors.status, errors.connect, errors.read, errors.write, errors.timeout))
end
