-- Shared by the wrk scenarios: loads the data file the runner wrote (slugs by popularity, tags, usernames,
-- signed JWTs), Zipf choice, optional pacing, status checks and one machine-readable result line.
-- Environment: BENCH_DATA (the data file), BENCH_RATE (total req/s to pace at; unset = as fast as possible),
-- BENCH_CONNECTIONS (wrk's -c, needed to pace), BENCH_EXPECT (accepted statuses, e.g. "200,201").
local data_file = os.getenv("BENCH_DATA") or error("BENCH_DATA is not set")
data = dofile(data_file)

-- Zipf(s) over n ranks by inverse CDF: a table of cumulative weights, binary-searched.
function zipf_table(n, s)
  local cdf, total = {}, 0
  for i = 1, n do total = total + 1 / (i ^ s); cdf[i] = total end
  for i = 1, n do cdf[i] = cdf[i] / total end
  return cdf
end
function zipf_pick(cdf)
  local u, lo, hi = math.random(), 1, #cdf
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if cdf[mid] < u then lo = mid + 1 else hi = mid end
  end
  return lo
end

slug_zipf = zipf_table(#data.slugs, 1.0)
tag_zipf = zipf_table(#data.tags, 1.0)
author_zipf = zipf_table(#data.authors, 1.0)
function popular_slug() return data.slugs[zipf_pick(slug_zipf)] end
function popular_tag() return data.tags[zipf_pick(tag_zipf)] end
function popular_author() return data.authors[zipf_pick(author_zipf)] end
function any_token() return data.tokens[math.random(#data.tokens)] end

anon_headers = { ["Accept"] = "application/json" }
function auth_headers(token)
  return { ["Accept"] = "application/json", ["Authorization"] = "Token " .. token,
           ["Content-Type"] = "application/json" }
end
function get(path, headers) return wrk.format("GET", path, headers or anon_headers) end

-- Threads: each wrk thread has its own Lua state; setup() runs in the main state and keeps the handles so that
-- done() can add up the per-thread counters.
local threads, next_id = {}, 0
function setup(thread)
  next_id = next_id + 1
  thread:set("tid", next_id)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + (tid or 0))
  ok, unexpected, throttled, samples = 0, 0, 0, ""
  local expect = os.getenv("BENCH_EXPECT") or "200"
  accepted = {}
  for code in expect:gmatch("%d+") do accepted[tonumber(code)] = true end
  local rate, conns = tonumber(os.getenv("BENCH_RATE") or ""), tonumber(os.getenv("BENCH_CONNECTIONS") or "")
  -- Per connection: one request every conns/rate seconds. This is wrk's delay(), not wrk2's constant-rate
  -- schedule: a slow response delays the next send, so latencies are not corrected for coordinated omission.
  pace_ms = (rate and conns and rate > 0) and (conns * 1000 / rate) or nil
  if scenario_init then scenario_init() end
end

if (os.getenv("BENCH_RATE") or "") ~= "" then
  function delay() return pace_ms and math.floor(pace_ms * (0.5 + math.random())) or 0 end
end

-- A response that is neither accepted nor throttled: counted, and the first few quoted in the summary.
function count_unexpected(status, body)
  unexpected = unexpected + 1
  if unexpected <= 3 then samples = samples .. status .. " " .. string.sub(body or "", 1, 120):gsub("[\r\n\"]", " ") .. "; " end
end

-- Every response: accepted statuses, 429 (the rate limiter; counted apart) or unexpected (first few kept).
function response(status, headers, body)
  if accepted[status] then ok = ok + 1
  elseif status == 429 then throttled = throttled + 1
  else count_unexpected(status, body) end
end

-- A scenario that counts pages (several requests, or one, that make up what a reader sees) sets the global
-- `pages` in each thread; the others report 0 pages.
function done(summary, latency, requests)
  local ok_n, bad, t429, notes, pages_n = 0, 0, 0, "", 0
  for _, thread in ipairs(threads) do
    pages_n = pages_n + (thread:get("pages") or 0)
    ok_n = ok_n + (thread:get("ok") or 0)
    bad = bad + (thread:get("unexpected") or 0)
    t429 = t429 + (thread:get("throttled") or 0)
    notes = notes .. (thread:get("samples") or "")
  end
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format(
    'BENCH {"requests":%d,"rps":%.1f,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d,"ok":%d,"unexpected":%d,' ..
    '"throttled":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"bytes":%d,"pages":%d,"pps":%.2f,' ..
    '"samples":"%s"}\n',
    summary.requests, summary.requests / secs, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9), latency.max, ok_n, bad, t429,
    e.connect, e.read, e.write, e.timeout, summary.bytes, pages_n, pages_n / secs, notes))
end
