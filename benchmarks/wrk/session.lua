-- wrk script for benchmarks/web_load.py: carries a signed-in session (cookie, CSRF token),
-- cycles through BENCH_PATHS ("|"-separated) and, for a POST, BENCH_BODY ("|"-separated
-- form bodies: "|" is percent-encoded inside one), sends HX-Request when BENCH_HX is 1, and
-- prints the figures as one JSON line.
local cookie = os.getenv("BENCH_COOKIE") or ""
local csrf = os.getenv("BENCH_CSRF") or ""
local method = os.getenv("BENCH_METHOD") or "GET"
local bodies = {}
for b in string.gmatch(os.getenv("BENCH_BODY") or "", "[^|]+") do table.insert(bodies, b) end
local paths = {}
for p in string.gmatch(os.getenv("BENCH_PATHS") or "/", "[^|]+") do table.insert(paths, p) end
local counter = 0

function setup(thread)
  thread:set("offset", #paths > 0 and math.random(#paths) or 0)
end

request = function()
  counter = counter + 1
  local path = paths[((counter + (offset or 0)) % #paths) + 1]
  -- The same User-Agent as the sign-in: Flask-Login's strong session protection checks it.
  local headers = { ["Cookie"] = cookie, ["User-Agent"] = "local-reach-bench" }
  if os.getenv("BENCH_HX") == "1" then headers["HX-Request"] = "true" end  -- as htmx asks
  if method == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    headers["X-CSRFToken"] = csrf
  end
  local body = nil
  if #bodies > 0 then body = bodies[((counter + (offset or 0)) % #bodies) + 1] end
  return wrk.format(method, path, headers, body)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "socket_errors": %d, "bad_status": %d, ' ..
    '"p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "mean_ms": %.2f, "max_ms": %.2f}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.mean / 1000, latency.max / 1000))
end
