-- Write requests shared by mixed and write-heavy. Names are unique per run (BENCH_RUN), wrk thread and counter.
local run = os.getenv("BENCH_RUN") or tostring(os.time())
local counter = 0
local function unique() counter = counter + 1; return run .. "t" .. (tid or 0) .. "n" .. counter end
local function quote(s) return '"' .. s .. '"' end

function favorite(headers)
  local method = math.random() < 0.5 and "POST" or "DELETE"
  return wrk.format(method, "/api/articles/" .. popular_slug() .. "/favorite", headers)
end
function follow(headers)
  local method = math.random() < 0.5 and "POST" or "DELETE"
  return wrk.format(method, "/api/profiles/" .. popular_author() .. "/follow", headers)
end
function create_article(headers)
  local id = unique()
  local body = '{"article":{"title":' .. quote("Bench article " .. id) .. ',"description":"written by wrk",' ..
    '"body":"A benchmark article body with a few words in it.","tagList":[' .. quote(popular_tag()) .. ']}}'
  return wrk.format("POST", "/api/articles", headers, body)
end
function comment(headers)
  local body = '{"comment":{"body":' .. quote("Bench comment " .. unique()) .. '}}'
  return wrk.format("POST", "/api/articles/" .. popular_slug() .. "/comments", headers, body)
end
function register()
  local name = "b" .. unique()
  local body = '{"user":{"username":' .. quote(name) .. ',"email":' .. quote(name .. "@wrk.bench.surge.dev") ..
    ',"password":"bench-password"}}'
  return wrk.format("POST", "/api/users", { ["Content-Type"] = "application/json" }, body)
end
