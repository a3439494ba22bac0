-- connections: many keep-alive connections (wrk -c10000) at a modest paced rate (BENCH_RATE): anonymous
-- single-article reads, Zipf-popular. The runner samples the server's RSS and heap meanwhile.
dofile(os.getenv("BENCH_SCENARIOS") .. "/common.lua")

function request() return get("/api/articles/" .. popular_slug()) end
