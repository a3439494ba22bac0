-- pair: one kind of read, the same request anonymous or signed in, so that the two runs differ only by the token.
-- BENCH_PAIR: list (GET /api/articles?limit=20), article (a Zipf-popular slug), profile (a Zipf-popular author),
-- tags (GET /api/tags). BENCH_SIGNED=1: each request carries a seeded user's token (any of them, uniformly).
dofile(os.getenv("BENCH_SCENARIOS") .. "/common.lua")
local kind = os.getenv("BENCH_PAIR") or error("BENCH_PAIR is not set")
local signed = os.getenv("BENCH_SIGNED") == "1"

local paths = {
  list = function() return "/api/articles?limit=20" end,
  article = function() return "/api/articles/" .. popular_slug() end,
  profile = function() return "/api/profiles/" .. popular_author() end,
  tags = function() return "/api/tags" end,
}
local path = paths[kind] or error("BENCH_PAIR must be list, article, profile or tags")

function request()
  return get(path(), signed and auth_headers(any_token()) or anon_headers)
end
