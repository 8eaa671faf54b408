-- POST /login, each request as one of the login users at random ($BENCH_LOGIN_USERS:
-- "user<TAB>password"), whose passwords have the extension's default cost: each login hashes
-- a password as in production.
dofile("bench/wrk/report.lua")

local requests = {}

function init(args)
  for line in io.lines(os.getenv("BENCH_LOGIN_USERS")) do
    local user, password = line:match("^(%S+)\t(%S+)$")
    if user then
      local body = string.format('{"username": "%s", "password": "%s"}', user, password)
      requests[#requests + 1] = wrk.format("POST", "/login", { ["Content-Type"] = "application/json" }, body)
    end
  end
  math.randomseed(os.time())
end

function request()
  return requests[math.random(#requests)]
end
