-- warm-viewers: the signed-in warm-up. It first reads every seeded viewer's feed once, each wrk thread its share of
-- the tokens in order, and then goes on as read-auth. One feed read loads what a signed-in reader's later reads
-- use (their followees and favorites, their timeline and its count), so the measured runs see every one of the
-- 10,000 viewers as a node in steady state does, not the few thousand a random pick reaches in the warm-up.
-- BENCH_THREADS: wrk's -t (2 unless set), the stride of each thread's walk.
dofile(os.getenv("BENCH_SCENARIOS") .. "/read-auth.lua")
local read_auth = request
local stride = tonumber(os.getenv("BENCH_THREADS") or "2")
local walk

function scenario_init() walk = tid or 1 end

function request()
  if walk <= #data.tokens then
    local token = data.tokens[walk]
    walk = walk + stride
    return get("/api/articles/feed?limit=20", auth_headers(token))
  end
  return read_auth()
end
