-- One request shape for wrk, from the environment:
--   METHOD (GET), TARGET (a path; `{id}` is replaced by the next id from
--   the file IDS, each thread starting at its own place), BODY, TOKEN.
-- Prints one line at the end: requests/s, p50 and p99 in ms, and how many
-- requests failed (an answer of 400 or more, or a socket error), and how
-- many requests were answered in all.
local method = os.getenv("METHOD") or "GET"
local target = os.getenv("TARGET")
local body = os.getenv("BODY")
local headers = { ["Authorization"] = "Bearer " .. os.getenv("TOKEN") }
if body then headers["Content-Type"] = "application/json" end
local ids = {}
local file = os.getenv("IDS")
if file and file ~= "" then
  for line in io.lines(file) do ids[#ids + 1] = line end
end

local threads = {}
function setup(thread)
  thread:set("number", #threads)
  table.insert(threads, thread)
end

local n = 0
function request()
  n = n + 1
  local path = target
  if #ids > 0 then
    local i = ((number or 0) * 7919 + n) % #ids + 1
    path = string.gsub(target, "{id}", ids[i])
  end
  return wrk.format(method, path, headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %.0f %.1f %.1f %d %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status + e.connect + e.read + e.write + e.timeout, summary.requests))
end
