-- wrk script: duplicate check for a new child (POST /api/v1/children/duplicate-check), cycling
-- through romanised spellings of common synthetic names. Reports like p95.lua.
local token = os.getenv("KROUSAR_TOKEN")
local bodies = {
  '{"family_name_latin":"Chan","given_name_latin":"Serei","sex":"female","estimated_birth_year":2016,"village_code":"13020502"}',
  '{"family_name_latin":"Sokh","given_name_latin":"Dara","sex":"male","estimated_birth_year":2012,"village_code":"12010101"}',
  '{"family_name_km":"ចាន់","given_name_km":"សិរី","sex":"female","estimated_birth_year":2015}',
  '{"family_name_latin":"Srey","given_name_latin":"Mom","sex":"female","date_of_birth":"2014-03-02","village_code":"02020101"}',
}
local i = 0
request = function()
  i = i + 1
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
