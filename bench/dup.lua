-- wrk script: duplicate check for a new child (POST /api/v1/children/duplicate-check), cycling
-- through romanised and Khmer spellings of common synthetic names. Each user may ask 30 times an
-- hour, so a load test asks as many users in turn: KROUSAR_TOKENS names a file of their tokens,
-- one a line (otherwise KROUSAR_TOKEN alone: only its first 30 answers are checks, the rest are
-- refusals, counted as errors). Reports like p95.lua; refusals and failures are errors.
local tokens = {}
local file = os.getenv("KROUSAR_TOKENS")
if file then
  for line in io.lines(file) do
    if #line > 0 then tokens[#tokens + 1] = line end
  end
end
if #tokens == 0 then tokens[1] = os.getenv("KROUSAR_TOKEN") end
local bodies = {
  '{"family_name_latin":"Chan","given_name_latin":"Serei","sex":"female","estimated_birth_year":2016,"village_code":"13020502"}',
  '{"family_name_latin":"Sokh","given_name_latin":"Dara","sex":"male","estimated_birth_year":2012,"village_code":"12010101"}',
  '{"family_name_km":"ចាន់","given_name_km":"សិរី","sex":"female","estimated_birth_year":2015}',
  '{"family_name_latin":"Srey","given_name_latin":"Mom","sex":"female","date_of_birth":"2014-03-02","village_code":"02020101"}',
}
local i = 0
local offset = 0
function setup(thread)
  -- Threads start at different users, so that no user is asked for twice as often.
  thread:set("offset", offset)
  offset = offset + 1000
end
request = function()
  i = i + 1
  local token = tokens[((i + offset) % #tokens) + 1]
  return wrk.format("POST", "/api/v1/children/duplicate-check", {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }, bodies[(i % #bodies) + 1])
end
function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  io.write(string.format("RESULT requests=%d rps=%.0f p50_ms=%.1f p95_ms=%.1f p99_ms=%.1f errors=%d\n",
    summary.requests, summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout))
end
