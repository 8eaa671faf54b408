-- What the shim sends for GET /events.
SELECT tm_events();
