-- front: the front page of a signed-in reader (20 newest articles, each with its author, the viewer's flags and
-- its comment count), counted in pages rather than requests.
-- BENCH_FRONT=graphql: one POST /graphql per page (1 round trip).
-- BENCH_FRONT=rest: GET /api/articles?limit=20, then GET /api/articles/:slug/comments for every article of that
-- list, the only REST way to learn how many comments an article has (21 round trips).
-- Every page is read by one seeded user, drawn uniformly; all requests of a REST page carry that user's token.
dofile(os.getenv("BENCH_SCENARIOS") .. "/common.lua")
local mode = os.getenv("BENCH_FRONT") or error("BENCH_FRONT is not set")
if mode ~= "graphql" and mode ~= "rest" then error("BENCH_FRONT must be graphql or rest") end

local QUERY = '{"query":"{ articles(first: 20) { edges { node { slug title description tagList createdAt ' ..
  'favorited favoritesCount commentsCount author { username image following } } } } }"}'

function scenario_init()
  pages = 0
  -- rest: comment reads not yet sent ({path, token}, oldest first) and the pages in progress, oldest first, each
  -- the number of its responses still to come. wrk's Lua state is per thread, not per connection: request() and
  -- response() do not say which connection they serve. So a thread's pages share its connections, like a
  -- browser's parallel fetches: the next request of a connection is the oldest unsent comment read of any page in
  -- progress, or, when there is none, the list request of a new page. A comment response is credited to the
  -- oldest page still waiting for one; a page is counted once its list and all its comment reads came back.
  pending, pending_head, pending_tail = {}, 1, 0
  open_pages, open_head, open_tail = {}, 1, 0
  list_tokens = {}
end

local function graphql_request()
  return wrk.format("POST", "/graphql", auth_headers(any_token()), QUERY)
end

local function rest_request()
  if pending_head <= pending_tail then
    local nxt = pending[pending_head]
    pending[pending_head] = nil
    pending_head = pending_head + 1
    return get(nxt[1], auth_headers(nxt[2]))
  end
  -- a new page; its reader's token waits here until the list comes back
  local token = any_token()
  table.insert(list_tokens, token)
  return get("/api/articles?limit=20", auth_headers(token))
end

function request()
  if mode == "graphql" then return graphql_request() end
  return rest_request()
end

local check = response -- common.lua's status accounting

local function rest_response(body)
  if body:sub(1, 12) == '{"articles":' then
    -- a list: its reader is taken to be the oldest one whose list is out (two connections' lists may come back in
    -- the other order; the pair's tokens are then swapped, which changes nothing: each is a uniform draw)
    local token = table.remove(list_tokens, 1) or any_token()
    local n = 0
    for slug in body:gmatch('"slug":"([^"]+)"') do
      n = n + 1
      pending_tail = pending_tail + 1
      pending[pending_tail] = { "/api/articles/" .. slug .. "/comments", token }
    end
    if n == 0 then
      pages = pages + 1
    else
      open_tail = open_tail + 1
      open_pages[open_tail] = n
    end
  elseif open_head <= open_tail then
    -- a comment read (or an error answer to one): one response fewer for the oldest page waiting
    open_pages[open_head] = open_pages[open_head] - 1
    if open_pages[open_head] == 0 then
      open_pages[open_head] = nil
      open_head = open_head + 1
      pages = pages + 1
    end
  end
end

function response(status, headers, body)
  body = body or ""
  if mode == "rest" then
    check(status, headers, body)
    rest_response(body)
  elseif status == 200 and body:find('"edges":', 1, true) and not body:find('"errors":', 1, true) then
    ok = ok + 1
    pages = pages + 1
  elseif status == 429 then
    throttled = throttled + 1
  else
    -- GraphQL answers 200 also when the query failed: a page is a 200 with data and without errors
    count_unexpected(status, body)
  end
end
