-- POST /orders/<user>: one ticket per request, each connection buying as its own user.
-- wrk has no per-connection hook, so bench/run starts one thread per connection and
-- setup() hands thread i the i-th user of the token file ($BENCH_TOKENS: "user<TAB>token").
-- Arguments after "--": "hot <event id>" or "spread <first id> <last id>".
dofile("bench/wrk/report.lua")

local accounts = nil
local next_account = 0

local function read_accounts(path)
  local list = {}
  for line in io.lines(path) do
    local user, token = line:match("^(%S+)\t(%S+)$")
    if user then list[#list + 1] = { user, token } end
  end
  return list
end

function setup(thread)
  accounts = accounts or read_accounts(os.getenv("BENCH_TOKENS"))
  next_account = next_account + 1
  assert(next_account <= #accounts, "more connections than bench users")
  thread:set("user", accounts[next_account][1])
  thread:set("token", accounts[next_account][2])
end

-- Prebuilt requests keep wrk's own CPU cost low; the machine is shared with the server.
local requests = {}

function init(args)
  local first, last = tonumber(args[2]), tonumber(args[3] or args[2])
  local headers = {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }
  math.randomseed(os.time() + #user + tonumber(user:match("%d+") or 0))
  for id = first, last do
    local body = string.format('{"event_id": %d, "tickets_bought": 1}', id)
    requests[#requests + 1] = wrk.format("POST", "/orders/" .. user, headers, body)
  end
end

function request()
  return requests[math.random(#requests)]
end
