-- What the shim sends for GET /event/<id>; the id drawn like bench/wrk/event.lua's.
\set id random(:first_event, :last_event)
SELECT tm_event(:id);
