-- wrk script: rotates through many pre-built requests, one per device token or device id.
--   wrk ... -s bench/requests.lua URL -- MODE FILE [AUTH_TOKEN]
-- MODE heartbeat: FILE has "device_id device_token" lines; POST /v1/executor/heartbeat with each token.
-- MODE device:    FILE has "device_id device_token" lines; GET /v1/devices/{id} with AUTH_TOKEN.
-- Every request is built once in init(); request() only picks the next one (random order, no repeats
-- within one pass). done() prints one machine-readable line for bench/fleetbench.py.

local requests = {}
local count = 0
local position = 0

local function shuffle(list, n)
  for i = n, 2, -1 do
    local j = math.random(i)
    list[i], list[j] = list[j], list[i]
  end
end

function init(args)
  local mode, file, auth = args[1], args[2], args[3]
  math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)"), 16) or 0) % 100000)
  local handle = assert(io.open(file, "r"))
  for line in handle:lines() do
    local id, token = line:match("^(%S+)%s+(%S+)")
    if id then
      count = count + 1
      if mode == "heartbeat" then
        requests[count] = wrk.format("POST", "/v1/executor/heartbeat",
          { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, "{}")
      elseif mode == "device" then
        requests[count] = wrk.format("GET", "/v1/devices/" .. id, { ["Authorization"] = "Bearer " .. auth }, nil)
      else
        error("unknown mode " .. tostring(mode))
      end
    end
  end
  handle:close()
  assert(count > 0, "no requests built from " .. file)
  shuffle(requests, count)
  position = math.random(count)
end

function request()
  position = position + 1
  if position > count then position = 1 end
  return requests[position]
end

function done(summary, latency, requests_)
  local e = summary.errors
  io.write(string.format(
    "WRK_RESULT requests=%d duration_us=%d connect=%d read=%d write=%d status=%d timeout=%d p50_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
