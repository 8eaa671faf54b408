-- GET /events from a client that takes no compression (curl, most scripts): the plain JSON.
dofile("bench/wrk/report.lua")

wrk.method = "GET"
wrk.path = "/events"
