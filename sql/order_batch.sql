SET ticketmonster.password_cost = 1;
SELECT FROM tm_signing_key_set('tm-regress-key-not-a-secret-0123456789abcdefghij');
-- tm_order_create_batch: the purchases that queued in the web process, in one transaction,
-- each kept or undone on its own. Each row must be exactly what tm_order_create answers
-- for that purchase alone (or its error), and a failure must undo nothing but its own row's.
\set VERBOSITY default
\set SHOW_CONTEXT never

SELECT tm_account_create('{"username": "bat_alice", "password": "alice password"}') IS NOT NULL AS alice;
SELECT tm_account_create('{"username": "bat_bob", "password": "bob password"}') IS NOT NULL AS bob;
SELECT tm_account_create('{"username": "bat_carol", "password": "carol password"}') IS NOT NULL AS carol;
SELECT tm_create_admin('bat_admin', 'admin password') IS NOT NULL AS admin;
SELECT tm_login('{"username": "bat_alice", "password": "alice password"}') ->> 'token' AS alice \gset
SELECT tm_login('{"username": "bat_bob", "password": "bob password"}') ->> 'token' AS bob \gset
SELECT tm_login('{"username": "bat_carol", "password": "carol password"}') ->> 'token' AS carol \gset
SELECT tm_login('{"username": "bat_admin", "password": "admin password"}') ->> 'token' AS admin \gset
UPDATE accounts SET available_money = 50 WHERE username = 'bat_carol';

INSERT INTO events (id, name, place, city, date, price, tickets_left) OVERRIDING SYSTEM VALUE
VALUES (8101, 'Bat Rock Night', 'Razzmatazz', 'Barcelona', '2030-06-01', 30, 10),
       (8102, 'Bat Jazz Brunch', 'Jamboree', 'Barcelona', '2030-06-02', 15, 2);

CREATE TEMP VIEW wallets AS
    SELECT username, available_money FROM accounts WHERE username LIKE 'bat\_%' ORDER BY username;
CREATE TEMP VIEW stock AS
    SELECT id, tickets_left, tickets_sold FROM events WHERE id BETWEEN 8101 AND 8102 ORDER BY id;
CREATE TEMP VIEW sold AS
    SELECT username, event_id, tickets_bought, price FROM orders
    WHERE username LIKE 'bat\_%' ORDER BY id;

-- One batch: sales, a cart, failures of every kind between them, and an idempotent replay
-- of a purchase made in the same batch. Rows come back in the order of the arrays.
SELECT n, response #>> '{order,username}' AS buyer, response #>> '{order,event_id}' AS event,
       response #>> '{order,tickets_bought}' AS tickets,
       jsonb_array_length(response -> 'orders') AS cart_lines,
       sqlstate, message, detail, hint, raised_by_extension
FROM tm_order_create_batch(
    ARRAY[:'alice', :'bob', 'not a token', :'carol', :'bob', :'alice', :'admin', :'bob',
          :'alice', :'bob', :'bob'],
    ARRAY['bat_alice', 'bat_bob', 'bat_bob', 'bat_carol', 'bat_alice', 'BAT_ALICE', 'bat_admin',
          'bat_bob', 'bat_alice', 'bat_bob', 'bat_bob'],
    ARRAY['{"event_id": 8101, "tickets_bought": 2}',
          '{"orders": [{"event_id": 8102, "tickets_bought": 1}, {"event_id": 8101, "tickets_bought": 1}]}',
          '{"event_id": 8101, "tickets_bought": 1}',
          '{"event_id": 8101, "tickets_bought": 2}',
          '{"event_id": 8101, "tickets_bought": 1}',
          '{"event_id": 8102, "tickets_bought": 2}',
          '{"event_id": 8101, "tickets_bought": 1}',
          '{"event_id": 8101, "tickets_bought": 1',
          '{"event_id": 8199, "tickets_bought": 1}',
          '{"event_id": 8101, "tickets_bought": 3}',
          '{"event_id": 8101, "tickets_bought": 3}'],
    ARRAY[NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'batch-key', 'batch-key'])
    WITH ORDINALITY AS r(response, sqlstate, message, detail, hint, raised_by_extension, n)
ORDER BY n;
-- alice 2x30 + carol nothing; bob 15 + 30 + 3x30 once (the replay bought nothing more)
SELECT * FROM wallets;
SELECT * FROM stock;
SELECT * FROM sold;
-- the replayed purchase and its original are one order
SELECT count(*) AS bob_orders_of_three FROM orders WHERE username = 'bat_bob' AND tickets_bought = 3;

-- All of a batch commits or none of it: a batch in a transaction that rolls back leaves nothing.
BEGIN;
SELECT sqlstate FROM tm_order_create_batch(ARRAY[:'alice'], ARRAY['bat_alice'],
    ARRAY['{"event_id": 8101, "tickets_bought": 1}'], ARRAY[NULL]);
ROLLBACK;
SELECT * FROM stock;

-- The console (NULL tokens) buys for anyone.
SELECT response #>> '{order,username}' AS buyer, sqlstate
FROM tm_order_create_batch(ARRAY[NULL], ARRAY['bat_carol'],
    ARRAY['{"event_id": 8101, "tickets_bought": 1}'], ARRAY[NULL]);

-- An empty batch is empty; malformed batches are refused whole.
SELECT count(*) AS rows FROM tm_order_create_batch('{}', '{}', '{}', '{}');
SELECT * FROM tm_order_create_batch(ARRAY[:'alice'], ARRAY['bat_alice', 'bat_bob'], ARRAY['{}'], ARRAY[NULL]);
\echo :SQLSTATE
SELECT * FROM tm_order_create_batch(NULL, ARRAY['bat_alice'], ARRAY['{}'], ARRAY[NULL]);
\echo :SQLSTATE
SELECT * FROM tm_order_create_batch(ARRAY[['a'], ['b']], ARRAY[['a'], ['b']], ARRAY[['a'], ['b']], ARRAY[['a'], ['b']]);
\echo :SQLSTATE
SELECT count(*) FROM tm_order_create_batch(array_fill(NULL::text, ARRAY[61]), array_fill('bat_alice'::text, ARRAY[61]),
    array_fill('{}'::text, ARRAY[61]), array_fill(NULL::text, ARRAY[61]));
\echo :SQLSTATE

-- A batch of sixty: every one sells or fails alone, and the books balance.
UPDATE events SET tickets_left = 40 WHERE id = 8102;
SELECT count(response) AS sold, count(sqlstate) AS failed, min(sqlstate) AS why,
       min(detail) AS first_detail, max(detail) AS last_detail
FROM tm_order_create_batch(array_fill(:'alice'::text, ARRAY[60]), array_fill('bat_alice'::text, ARRAY[60]),
    array_fill('{"event_id": 8102, "tickets_bought": 1}'::text, ARRAY[60]), array_fill(NULL::text, ARRAY[60]));
SELECT * FROM stock;
SELECT available_money FROM accounts WHERE username = 'bat_alice';

-- A batch writes each event's row once, after its last purchase, yet every purchase is judged
-- on the tickets left after the batch's earlier ones, and on its buyer's orders so far; the
-- version moves by one per order, as if each had been sold alone.
UPDATE accounts SET available_money = 1000 WHERE username IN ('bat_alice', 'bat_bob');
INSERT INTO events (id, name, place, city, date, price, tickets_left, max_tickets_per_account)
OVERRIDING SYSTEM VALUE VALUES (8103, 'Bat Last Three', 'Apolo', 'Barcelona', '2030-06-03', 10, 3, 2);
SELECT version AS version_before FROM events WHERE id = 8103 \gset
SELECT n, response #>> '{order,username}' AS buyer, response #>> '{order,tickets_bought}' AS tickets,
       sqlstate, message, detail
FROM tm_order_create_batch(ARRAY[:'alice', :'alice', :'bob', :'alice'],
    ARRAY['bat_alice', 'bat_alice', 'bat_bob', 'bat_alice'],
    ARRAY['{"event_id": 8103, "tickets_bought": 1}', '{"event_id": 8103, "tickets_bought": 2}',
          '{"event_id": 8103, "tickets_bought": 2}', '{"event_id": 8103, "tickets_bought": 1}'],
    array_fill(NULL::text, ARRAY[4]))
    WITH ORDINALITY AS r(response, sqlstate, message, detail, hint, raised_by_extension, n)
ORDER BY n;
SELECT tickets_left, tickets_sold, version - :version_before AS version_moved
FROM events WHERE id = 8103;
