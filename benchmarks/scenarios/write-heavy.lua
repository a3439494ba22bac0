-- write-heavy: 20% registrations (a real Argon2 hash each), 40% article creation, 40% comments on popular
-- articles, by seeded users.
dofile(os.getenv("BENCH_SCENARIOS") .. "/common.lua")
dofile(os.getenv("BENCH_SCENARIOS") .. "/writes.lua")

function request()
  local r = math.random()
  if r < 0.20 then return register()
  elseif r < 0.60 then return create_article(auth_headers(any_token()))
  else return comment(auth_headers(any_token())) end
end
