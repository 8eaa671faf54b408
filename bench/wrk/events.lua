-- GET /events: the whole catalogue, the most common public request, as a browser asks for it
-- (Chromium's Accept-Encoding: the web process sends it gzip-compressed).
dofile("bench/wrk/report.lua")

wrk.method = "GET"
wrk.path = "/events"
wrk.headers["Accept-Encoding"] = "gzip, deflate, br, zstd"
