-- GET /event/<id>, the id drawn uniformly from the dataset's events.
-- Arguments after "--": first and last event id.
dofile("bench/wrk/report.lua")

local requests = {}

function init(args)
  local first, last = tonumber(args[1]), tonumber(args[2])
  for id = first, last do
    requests[#requests + 1] = wrk.format("GET", "/event/" .. id)
  end
end

function request()
  return requests[math.random(#requests)]
end
