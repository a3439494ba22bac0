-- mixed: 90% reads (half anonymous lists/articles, half authenticated feed/article/profile), 8% favorite,
-- unfavorite, follow or unfollow, 2% create an article or a comment. Writes by seeded users (signed JWTs).
dofile(os.getenv("BENCH_SCENARIOS") .. "/common.lua")
dofile(os.getenv("BENCH_SCENARIOS") .. "/writes.lua")

function request()
  local headers, r = auth_headers(any_token()), math.random()
  if r < 0.45 then
    if r < 0.20 then return get("/api/articles/" .. popular_slug())
    elseif r < 0.35 then return get("/api/articles?limit=20&tag=" .. popular_tag())
    else return get("/api/articles?limit=20") end
  elseif r < 0.90 then
    if r < 0.60 then return get("/api/articles/feed?limit=20", headers)
    elseif r < 0.80 then return get("/api/articles/" .. popular_slug(), headers)
    else return get("/api/profiles/" .. popular_author(), headers) end
  elseif r < 0.98 then
    if r < 0.94 then return favorite(headers) else return follow(headers) end
  elseif r < 0.99 then return create_article(headers)
  else return comment(headers) end
end
