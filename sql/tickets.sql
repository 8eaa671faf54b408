SET ticketmonster.password_cost = 1;
SELECT FROM tm_signing_key_set('tm-regress-key-not-a-secret-0123456789abcdefghij');
-- Events, orders and tickets of 1.1: capacity and version (If-Match), start time, past
-- events, per-account limits, tickets with codes, cancellation, door check-in.
-- Convention: errors print their message; the line after a statement that fails echoes
-- its SQLSTATE (docs/errors.md). Codes and tokens vary per run: kept in psql variables.
\set VERBOSITY default
\set SHOW_CONTEXT never
-- ids far above what the other tests use, so that the ones in messages are stable
SELECT setval(pg_get_serial_sequence('events', 'id'), 7000) > 0 AS events_from_7001,
       setval(pg_get_serial_sequence('orders', 'id'), 7000) > 0 AS orders_from_7001;

SELECT tm_account_create('{"username": "tkt_alice", "password": "alice password"}') IS NOT NULL AS alice;
SELECT tm_account_create('{"username": "tkt_bob", "password": "bob password"}') IS NOT NULL AS bob;
SELECT tm_create_admin('tkt_admin', 'admin password') IS NOT NULL AS admin;
SELECT tm_login('{"username": "tkt_alice", "password": "alice password"}') ->> 'token' AS alice \gset
SELECT tm_login('{"username": "tkt_bob", "password": "bob password"}') ->> 'token' AS bob \gset
SELECT tm_login('{"username": "tkt_admin", "password": "admin password"}') ->> 'token' AS admin \gset

--
-- Events: new fields, validation
--
SELECT (tm_event_create(:'admin', '{"name": "Tkt Fest", "place": "Park", "city": "Lisbon",
    "date": "2031-06-01", "time": "20:30", "price": 10, "capacity": 10,
    "max_tickets_per_account": 4, "image_url": "/static/img/fest.png"}') #>> '{event,id}')::int AS fest \gset
SELECT (tm_event(:fest) -> 'event') - 'id' AS event;
SELECT (tm_event_create(:'admin', '{"name": "Tkt Old", "place": "Club", "city": "Porto",
    "date": "2020-01-01", "price": 5, "total_available_tickets": 5}') -> 'event' ->> 'id')::int AS old \gset
SELECT e ->> 'name' AS name, e -> 'past' AS past FROM jsonb_array_elements(tm_events('past') -> 'events') e
WHERE e ->> 'name' LIKE 'Tkt%';
SELECT e ->> 'name' AS name, e -> 'past' AS past FROM jsonb_array_elements(tm_events('upcoming') -> 'events') e
WHERE e ->> 'name' LIKE 'Tkt%';
SELECT tm_events('soon');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_create(:'admin', '{"name": "Tkt Bad", "place": "P", "city": "C", "date": "2031-01-01",
    "price": 1, "capacity": 1, "time": "25:00"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_create(:'admin', '{"name": "Tkt Bad", "place": "P", "city": "C", "date": "2031-01-01",
    "price": 1, "capacity": 1, "image_url": "https://evil.example/x.png"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_create(:'admin', '{"name": "Tkt Bad", "place": "P", "city": "C", "date": "2031-01-01",
    "price": 1, "capacity": 1, "image_url": "/static/../secret"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_create(:'admin', '{"name": "Tkt Bad", "place": "P", "city": "C", "date": "2031-01-01",
    "price": 1, "capacity": 1, "max_tickets_per_account": 0}');
\echo :LAST_ERROR_SQLSTATE

--
-- Buying: past events are not sold; the per-account limit counts confirmed orders and the cart
--
SELECT tm_order_create(:'alice', 'tkt_alice', jsonb_build_object('event_id', :old, 'tickets_bought', 1));
\echo :LAST_ERROR_SQLSTATE
SELECT o -> 'status' AS status, jsonb_array_length(o -> 'tickets') AS tickets,
       o ->> 'created_at' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$' AS created_at_iso
FROM (SELECT tm_order_create(:'alice', 'tkt_alice', jsonb_build_object('event_id', :fest, 'tickets_bought', 3)) -> 'order' AS o) s;
SELECT tm_order_create(:'alice', 'tkt_alice', jsonb_build_object('event_id', :fest, 'tickets_bought', 2));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_order_create(:'alice', 'tkt_alice', jsonb_build_object('orders', jsonb_build_array(
    jsonb_build_object('event_id', :fest, 'tickets_bought', 2))));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_order_create(:'alice', 'tkt_alice', jsonb_build_object('event_id', :fest, 'tickets_bought', 1)) #> '{order,tickets_bought}' AS fourth;
-- every ticket has its own URL-safe code of 22 characters (128 bits, 122 of them random)
SELECT count(*) AS tickets, count(DISTINCT code) AS codes, bool_and(code ~ '^[A-Za-z0-9_-]{22}$') AS url_safe
FROM tickets t JOIN orders o ON o.id = t.order_id WHERE o.username = 'tkt_alice';
SELECT e -> 'capacity' AS capacity, e -> 'total_available_tickets' AS left, e -> 'version' AS version
FROM (SELECT tm_event(:fest) -> 'event' AS e) s;

--
-- Editing: If-Match / version, capacity below sold, 1.0's total_available_tickets
--
SELECT tm_event_update(:'admin', :fest, '{"name": "Tkt Fest", "place": "Other Park", "city": "Lisbon",
    "date": "2031-06-01", "price": 10, "capacity": 10}', '"1"');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_update(:'admin', :fest, '{"name": "Tkt Fest", "place": "Other Park", "city": "Lisbon",
    "date": "2031-06-01", "price": 10, "capacity": 10, "version": 2}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_update(:'admin', :fest, '{"name": "Tkt Fest", "place": "Other Park", "city": "Lisbon",
    "date": "2031-06-01", "price": 10, "capacity": 3}', '"3"');
\echo :LAST_ERROR_SQLSTATE
SELECT e -> 'place' AS place, e -> 'capacity' AS capacity, e -> 'total_available_tickets' AS left,
       e -> 'version' AS version, e -> 'time' AS time, e -> 'image_url' AS image
FROM (SELECT tm_event_update(:'admin', :fest, '{"name": "Tkt Fest", "place": "Other Park", "city": "Lisbon",
    "date": "2031-06-01", "price": 10, "capacity": 12}', 'W/"0", "3"') -> 'event' AS e) s;
-- an old client's PUT: total_available_tickets is what is left; the new fields stay
SELECT e -> 'capacity' AS capacity, e -> 'total_available_tickets' AS left, e -> 'time' AS time,
       e -> 'max_tickets_per_account' AS max
FROM (SELECT tm_event_update(:'admin', :fest, '{"name": "Tkt Fest", "place": "Other Park", "city": "Lisbon",
    "date": "2031-06-01", "price": 10, "total_available_tickets": 6}') -> 'event' AS e) s;

--
-- Cancelling: the buyer; refund and restock; once only; not after a check-in
--
SELECT min(o.id) AS first_order, max(o.id) AS last_order FROM orders o WHERE o.username = 'tkt_alice' \gset
SELECT tm_order_cancel(:'bob', 'tkt_alice', :first_order);
\echo :LAST_ERROR_SQLSTATE
SELECT tm_order_cancel(:'bob', 'tkt_bob', :first_order);
\echo :LAST_ERROR_SQLSTATE
SELECT available_money AS before FROM accounts WHERE username = 'tkt_alice';
SELECT r -> 'refund' AS refund, r #> '{order,status}' AS status
FROM tm_order_cancel(:'alice', 'tkt_alice', :first_order) r;
SELECT available_money AS after FROM accounts WHERE username = 'tkt_alice';
SELECT e -> 'capacity' AS capacity, e -> 'total_available_tickets' AS left FROM (SELECT tm_event(:fest) -> 'event' AS e) s;
SELECT tm_order_cancel(:'alice', 'tkt_alice', :first_order);
\echo :LAST_ERROR_SQLSTATE

--
-- Check-in: staff and admins; exactly once; wrong event; cancelled; unknown
--
SELECT min(t.code) AS code FROM tickets t WHERE t.order_id = :last_order \gset
SELECT t.code AS cancelled_code FROM tickets t WHERE t.order_id = :first_order LIMIT 1 \gset
SELECT tm_checkin(:'alice', jsonb_build_object('code', :'code'));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_checkin(:'admin', jsonb_build_object('code', :'code', 'event_id', :old));
\echo :LAST_ERROR_SQLSTATE
SELECT r #> '{order,username}' AS buyer, r #> '{ticket,checked_in_at}' IS NOT NULL AS checked_in
FROM tm_checkin(:'admin', jsonb_build_object('code', :'code', 'event_id', :fest)) r;
DO $$
BEGIN
    PERFORM tm_checkin(NULL, jsonb_build_object('code', (SELECT code FROM tickets t JOIN orders o
        ON o.id = t.order_id WHERE o.username = 'tkt_alice' AND t.checked_in_at IS NOT NULL)));
EXCEPTION WHEN SQLSTATE 'TM026' THEN
    RAISE NOTICE 'second scan: % (detail is JSON: %)', SQLSTATE,
        (SELECT checked_in_at IS NOT NULL FROM tickets WHERE checked_in_at IS NOT NULL LIMIT 1);
END
$$;
SELECT tm_checkin(:'admin', jsonb_build_object('code', :'cancelled_code'));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_checkin(:'admin', '{"code": "no-such-code"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_order_cancel(:'alice', 'tkt_alice', :last_order);
\echo :LAST_ERROR_SQLSTATE
-- door staff check in, and do nothing else: no orders, no codes, no cancelling
SELECT tm_create_staff('tkt_door', 'door password') IS NOT NULL AS staff;
SELECT tm_login('{"username": "tkt_door", "password": "door password"}') ->> 'token' AS door \gset
SELECT tm_order_create(:'alice', 'tkt_alice', jsonb_build_object('event_id', :fest, 'tickets_bought', 1))
    #>> '{order,tickets,0,code}' AS code2 \gset
SELECT r #> '{order,username}' AS buyer FROM tm_checkin(:'door', jsonb_build_object('code', :'code2')) r;
SELECT tm_account_orders(:'door', 'tkt_alice');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_orders(:'door');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_order_cancel(:'door', 'tkt_alice', :last_order);
\echo :LAST_ERROR_SQLSTATE

--
-- The cancellation window: ticketmonster.cancel_before_hours before the start
--
SELECT (tm_event_create(NULL, jsonb_build_object('name', 'Tkt Soon', 'place', 'Bar', 'city', 'Faro',
    'date', to_char(current_date + 1, 'YYYY-MM-DD'), 'price', 1, 'capacity', 5)) #>> '{event,id}')::int AS soon \gset
SELECT (tm_order_create(:'bob', 'tkt_bob', jsonb_build_object('event_id', :soon, 'tickets_bought', 1)) #>> '{order,id}')::int AS soon_order \gset
SELECT tm_order_cancel(:'bob', 'tkt_bob', :soon_order);
\echo :LAST_ERROR_SQLSTATE
SET ticketmonster.cancel_before_hours = 0;
SELECT r -> 'refund' AS refund FROM tm_order_cancel(:'bob', 'tkt_bob', :soon_order) r;
RESET ticketmonster.cancel_before_hours;

--
-- Deleting the event: orders stay, refunded; the event is gone from the API
--
SELECT tm_event_delete(:'admin', :fest);
SELECT o ->> 'status' AS status, count(*) FROM jsonb_array_elements(tm_account_orders(:'alice', 'tkt_alice') -> 'orders') o
GROUP BY 1 ORDER BY 1;
SELECT tm_event(:fest);
\echo :LAST_ERROR_SQLSTATE
SELECT tm_checkin(:'admin', jsonb_build_object('code', :'code'));
\echo :LAST_ERROR_SQLSTATE

--
-- Closing an account: its orders are refunded and kept; their tickets go back on sale
--
SELECT (tm_event_create(NULL, '{"name": "Tkt Later", "place": "Hall", "city": "Braga",
    "date": "2032-01-01", "price": 7, "capacity": 9}') #>> '{event,id}')::int AS later \gset
SELECT tm_order_create(:'bob', 'tkt_bob', jsonb_build_object('event_id', :later, 'tickets_bought', 2)) IS NOT NULL AS bought;
SELECT tm_account_delete(:'admin', 'TKT_BOB');
SELECT username, available_money, closed_at IS NOT NULL AS closed FROM accounts WHERE username = 'tkt_bob';
SELECT o ->> 'status' AS status, o ->> 'tickets_bought' AS tickets FROM jsonb_array_elements(tm_orders(:'admin') -> 'orders') o
WHERE o ->> 'username' = 'tkt_bob' ORDER BY (o ->> 'id')::int;
SELECT e -> 'total_available_tickets' AS left, e -> 'capacity' AS capacity FROM (SELECT tm_event(:later) -> 'event' AS e) s;
SELECT tm_account(:'admin', 'tkt_bob');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account_create('{"username": "tkt_bob", "password": "another password"}');
\echo :LAST_ERROR_SQLSTATE
