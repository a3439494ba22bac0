-- read-anon: anonymous reads, Zipf-popular: 30% single article, 30% global list (first pages favoured),
-- 25% list by tag, 15% list by author.
dofile(os.getenv("BENCH_SCENARIOS") .. "/common.lua")
local page_zipf = zipf_table(10, 1.2)

function request()
  local r = math.random()
  if r < 0.30 then return get("/api/articles/" .. popular_slug())
  elseif r < 0.60 then return get("/api/articles?limit=20&offset=" .. (zipf_pick(page_zipf) - 1) * 20)
  elseif r < 0.85 then return get("/api/articles?limit=20&tag=" .. popular_tag())
  else return get("/api/articles?limit=20&author=" .. popular_author()) end
end
