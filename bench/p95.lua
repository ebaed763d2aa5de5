-- wrk reporter: requests/s and latency percentiles (wrk --latency omits p95).
local token = os.getenv("KROUSAR_TOKEN")
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Accept-Encoding"] = "gzip"
function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  io.write(string.format("RESULT requests=%d rps=%.0f p50_ms=%.1f p95_ms=%.1f p99_ms=%.1f errors=%d\n",
    summary.requests, summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout))
end
