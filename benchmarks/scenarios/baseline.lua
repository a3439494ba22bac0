-- baseline: GET / on a surge.bench.Baseline process (json or query mode); checks the status like the others.
dofile(os.getenv("BENCH_SCENARIOS") .. "/common.lua")

function request() return get("/") end
