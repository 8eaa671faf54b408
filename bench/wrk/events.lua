-- GET /events: the whole catalogue, the most common public request.
dofile("bench/wrk/report.lua")

wrk.method = "GET"
wrk.path = "/events"
