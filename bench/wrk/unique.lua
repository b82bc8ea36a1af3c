-- A new cache key on every request: PATH?limit=LIMIT&before=<a distinct millisecond after
-- EPOCH>, so that every request through the proxy is a miss. Arguments after "--":
-- PATH LIMIT EPOCH [API_KEY]. Prints one machine-readable RESULT line at the end (fixed.lua's done,
-- loaded from beside this script).
dofile((debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "") .. "fixed.lua")

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
