-- feed: GET /api/articles/feed?limit=20 by viewers who follow exactly BENCH_FEED_FOLLOWS authors (1, 50 or 500),
-- whom feed_viewers.py registered and made follow the most prolific authors; their tokens are in BENCH_FEED_DATA.
dofile(os.getenv("BENCH_SCENARIOS") .. "/common.lua")
local viewers = dofile(os.getenv("BENCH_FEED_DATA") or error("BENCH_FEED_DATA is not set"))
local group = viewers[tonumber(os.getenv("BENCH_FEED_FOLLOWS") or "")] or error("no viewers for BENCH_FEED_FOLLOWS")

function request()
  return get("/api/articles/feed?limit=20", auth_headers(group[math.random(#group)]))
end
