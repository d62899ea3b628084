-- wrk script for bench/load.sh: sends the pre-signed requests of requests.tsv to wbad's
-- forward-auth endpoint, each thread its own slice (so no request is sent twice: replay
-- protection stays on). Optional second argument: the mean per-connection delay in ms between a
-- response and the connection's next request (rate limiting: plain wrk has no rate option, wrk2
-- is not packaged). Each delay is drawn from an exponential distribution with that mean, so the
-- connections send independently (together, close to Poisson arrivals, as from independent
-- clients): with one fixed delay the 64 connections stay in step and arrive in bursts of 64.
-- wrk truncates delay() to whole milliseconds, so the fraction is carried over to the next
-- delay (the mean stays exact). With 0 the delay() hook is removed, so the maximum-throughput
-- run pays no timer per request in wrk.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local nthreads = tonumber(args[3] or "1")
  local first = tonumber(args[4] or "0")        -- this run's slice of the file: each run
  local last = tonumber(args[5] or "1e18")      -- must use requests no earlier run sent
  delay_ms = tonumber(args[2] or "0")
  requests = {}
  local i = 0
  for line in io.lines(args[1]) do
    if i >= first and i < last and i % nthreads == id then
      local path, agent, input, sig = line:match("([^\t]+)\t([^\t]+)\t([^\t]+)\t([^\t]+)")
      table.insert(requests, wrk.format("GET", "/v1/auth/forward", {
        ["X-Forwarded-Method"] = "GET", ["X-Forwarded-Proto"] = "https",
        ["X-Forwarded-Host"] = "shop.example", ["X-Forwarded-Uri"] = path,
        ["Signature-Agent"] = agent, ["Signature-Input"] = input, ["Signature"] = sig }))
    end
    i = i + 1
  end
  next_request = 1
  non200 = 0
  delay_acc = 0
  math.randomseed(1000 + id)  -- the same draws in every run
  if delay_ms <= 0 then delay = nil end  -- wrk checks for the hook after init()
end

function request()
  local r = requests[next_request]
  next_request = next_request + 1
  if next_request > #requests then next_request = 1 end  -- wrapping replays unless the store
                                                         -- evicted them (the soak's bounded store)
  return r
end

function delay()
  delay_acc = delay_acc - delay_ms * math.log(1 - math.random())  -- exponential, mean delay_ms
  local d = math.floor(delay_acc)
  delay_acc = delay_acc - d
  return d
end

function response(status)
  if status ~= 200 then non200 = non200 + 1 end
end

function done(summary, latency, requests)
  io.write(string.format("requests %d, errors %d, non-2xx %d\n", summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
  for _, p in pairs({50, 90, 99, 99.9}) do
    io.write(string.format("latency p%g %.3f ms\n", p, latency:percentile(p) / 1000.0))
  end
  io.write(string.format("throughput %.0f req/s\n", summary.requests / (summary.duration / 1e6)))
end
