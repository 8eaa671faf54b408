-- GET /healthz: answered without the database; beside the logins it shows whether a slow
-- database call holds up what needs none.
dofile("bench/wrk/report.lua")

wrk.method = "GET"
wrk.path = "/healthz"
