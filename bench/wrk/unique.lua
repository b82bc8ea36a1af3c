-- A new cache key on every request: PATH?limit=LIMIT&before=<a distinct millisecond after
-- EPOCH>, so that every request through the proxy is a miss. Arguments after "--":
-- PATH LIMIT EPOCH [API_KEY]. Prints one machine-readable RESULT line at the end.
local path, limit, epoch
local counter = 0

init = function(args)
  path, limit, epoch = args[1], args[2], tonumber(args[3])
  if args[4] then
    wrk.headers["X-API-KEY"] = args[4]
  end
end

request = function()
  counter = counter + 1
  local seconds = epoch + math.floor(counter / 1000)
  local before = os.date("!%Y-%m-%dT%H:%M:%S", seconds) .. string.format(".%03dZ", counter % 1000)
  return wrk.format("GET", path .. "?limit=" .. limit .. "&before=" .. before)
end

done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT requests=%d seconds=%.3f rps=%.1f p50_us=%d p99_us=%d max_us=%d non2xx=%d errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99), latency.max, summary.errors.status, errors))
end
