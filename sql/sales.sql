SET ticketmonster.password_cost = 1;
SELECT FROM tm_signing_key_set('tm-regress-key-not-a-secret-0123456789abcdefghij');
-- Sales: GET /sales (per event and totals, JSON or CSV) and GET /sales/daily, for admins.
-- Other tests sell too, so rows are shown for this file's events only (ids 9101-9104) and
-- the totals are checked against the sum of all rows.
\set VERBOSITY default
\set SHOW_CONTEXT never

SELECT tm_account_create('{"username": "sal_alice", "password": "alice password"}') IS NOT NULL AS alice;
SELECT tm_account_create('{"username": "sal_bob", "password": "bob password"}') IS NOT NULL AS bob;
SELECT tm_create_admin('sal_admin', 'admin password') IS NOT NULL AS admin;
SELECT tm_login('{"username": "sal_alice", "password": "alice password"}') ->> 'token' AS alice \gset
SELECT tm_login('{"username": "sal_admin", "password": "admin password"}') ->> 'token' AS admin \gset

INSERT INTO events (id, name, place, city, date, price, tickets_left) OVERRIDING SYSTEM VALUE
VALUES (9101, 'Sal Rock', 'Razzmatazz', 'Barcelona', '2031-05-01', 30, 10),
       (9102, '=cmd|'' /C calc''!A0', 'Jamboree', 'Barcelona', '2031-05-02', 15, 5),
       (9103, 'Sal "Quoted", Gig', 'Park', 'Girona', '2031-05-03', 0, 3),
       (9104, 'Sal Cancelled', 'Apolo', 'Barcelona', '2031-05-04', 10, 4);

SELECT tm_order_create(:'alice', 'sal_alice', '{"orders": [{"event_id": 9101, "tickets_bought": 2},
        {"event_id": 9102, "tickets_bought": 1}, {"event_id": 9104, "tickets_bought": 1}]}') IS NOT NULL AS cart;
SELECT tm_order_create(NULL, 'sal_bob', '{"event_id": 9101, "tickets_bought": 3}') -> 'order' ->> 'id' AS bob_order \gset
SELECT tm_order_create(NULL, 'sal_bob', '{"event_id": 9103, "tickets_bought": 2}') IS NOT NULL AS free;
-- bob cancels his 3 tickets of 9101, one of alice's tickets of 9101 is checked in, 9104 is cancelled
SELECT tm_order_cancel(NULL, 'sal_bob', :bob_order) ->> 'refund' AS refund;
SELECT tm_checkin(NULL, jsonb_build_object('code', (
    SELECT t.code FROM tickets t JOIN orders o ON o.id = t.order_id
    WHERE o.username = 'sal_alice' AND o.event_id = 9101 LIMIT 1))) IS NOT NULL AS checked_in;
SELECT tm_event_delete(NULL, 9104) IS NOT NULL AS cancelled;

-- per event
SELECT e ->> 'id' AS id, e ->> 'name' AS name, e ->> 'cancelled' AS cancelled,
       e ->> 'capacity' AS capacity, e ->> 'sold' AS sold, e ->> 'left' AS left,
       e ->> 'revenue' AS revenue, e ->> 'refunded_tickets' AS ref_tickets,
       e ->> 'refunded_amount' AS ref_amount, e ->> 'checked_in' AS checked_in
FROM jsonb_array_elements(tm_sales(:'admin') -> 'events') e
WHERE (e ->> 'id')::int BETWEEN 9101 AND 9104;

-- the totals are the sums of the rows, and capacity = sold + left
SELECT bool_and((s -> 'totals' ->> k)::bigint =
                (SELECT sum((e ->> k)::bigint) FROM jsonb_array_elements(s -> 'events') e)) AS totals_add_up,
       bool_and((s -> 'totals' ->> 'capacity')::bigint =
                (s -> 'totals' ->> 'sold')::bigint + (s -> 'totals' ->> 'left')::bigint) AS capacity_is_sold_plus_left
FROM (SELECT tm_sales(NULL) AS s) x,
     unnest(ARRAY['capacity', 'sold', 'left', 'revenue', 'refunded_tickets', 'refunded_amount', 'checked_in']) k;

-- CSV: a header, quoted names, a formula-looking name defused, CRLF line ends
SELECT line FROM regexp_split_to_table(tm_sales(:'admin', 'csv') #>> '{}', E'\r\n') WITH ORDINALITY AS l(line, n)
WHERE n = 1 OR line ~ '^910[1-4],';
SELECT right(tm_sales(NULL, 'csv') #>> '{}', 2) = E'\r\n' AS ends_with_crlf;

-- per day: today's confirmed sales of an event, and the days add up to what was sold
SELECT d ->> 'day' = to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS today,
       d ->> 'tickets' AS tickets, d ->> 'revenue' AS revenue
FROM jsonb_array_elements(tm_sales_daily(:'admin', 9101) -> 'days') d;
SELECT (SELECT sum((d ->> 'tickets')::int) FROM jsonb_array_elements(tm_sales_daily(NULL) -> 'days') d) =
       (SELECT (tm_sales(NULL) -> 'totals' ->> 'sold')::int) AS days_add_up;
SELECT tm_sales_daily(:'admin', 9103) -> 'days' -> 0 -> 'revenue' AS free_revenue;

-- errors: users and the anonymous are refused, unknown events and formats
SELECT tm_sales(:'alice');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_sales('');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_sales_daily(:'alice', 9101);
\echo :LAST_ERROR_SQLSTATE
SELECT tm_sales_daily(:'admin', 999999);
\echo :LAST_ERROR_SQLSTATE
SELECT tm_sales(:'admin', 'xml');
\echo :LAST_ERROR_SQLSTATE
