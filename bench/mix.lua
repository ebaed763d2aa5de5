-- wrk: a worker's day on repeat — list, searches, a record, the home page — for the soak test.
local token = os.getenv("KROUSAR_TOKEN")
local child = os.getenv("BENCH_CHILD")
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Accept-Encoding"] = "gzip"
local paths = { "/children", "/children?q=sokha", "/children/" .. child, "/", "/children?q=%E1%9E%9F%E1%9E%BB%E1%9E%81%E1%9E%B6",
  "/households", "/api/v1/children?limit=50", "/children/" .. child .. "/case" }
local i = 0
request = function()
  i = i + 1
  return wrk.format(nil, paths[(i % #paths) + 1])
end
