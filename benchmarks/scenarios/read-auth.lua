-- read-auth: a seeded user (a JWT the runner signed) reads: 30% their feed, 40% an article (favorited flag
-- per viewer), 30% a profile (following flag per viewer).
dofile(os.getenv("BENCH_SCENARIOS") .. "/common.lua")

function request()
  local headers, r = auth_headers(any_token()), math.random()
  if r < 0.30 then return get("/api/articles/feed?limit=20", headers)
  elseif r < 0.70 then return get("/api/articles/" .. popular_slug(), headers)
  else return get("/api/profiles/" .. popular_author(), headers) end
end
