-- article: single-article reads, uniform over all articles in the data file; against the node with
-- cache.enabled=false this is the "uncached single article read" compared with the query baseline.
dofile(os.getenv("BENCH_SCENARIOS") .. "/common.lua")

function request() return get("/api/articles/" .. data.slugs[math.random(#data.slugs)]) end
