-- One request shape for wrk, from the environment:
--   METHOD (GET), TARGET (a path; `{id}` is replaced by the next id from
--   the file IDS), BODY, TOKEN, THREADS (wrk's -t, default 2).
-- Each thread takes its own share of the ids, in turn, so no two requests
-- in flight touch the same case. With TOGGLE="a,b", `{toggle}` in BODY is
-- b on the first visit to a case, a on the second, and so on (for
-- reassigning a case that starts with a).
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

local threads_total = tonumber(os.getenv("THREADS") or "2")
local toggle = {}
for v in string.gmatch(os.getenv("TOGGLE") or "", "[^,]+") do toggle[#toggle + 1] = v end

local n = 0
function request()
  n = n + 1
  local path, text = target, body
  if #ids > 0 then
    local me = number or 0
    local own = math.floor((#ids - me - 1) / threads_total) + 1
    local k = (n - 1) % own
    local visit = math.floor((n - 1) / own)
    path = string.gsub(target, "{id}", ids[me + 1 + k * threads_total])
    if #toggle == 2 and text then
      text = string.gsub(text, "{toggle}", toggle[(visit + 1) % 2 + 1])
    end
  end
  return wrk.format(method, path, headers, text)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %.0f %.1f %.1f %d %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status + e.connect + e.read + e.write + e.timeout, summary.requests))
end
