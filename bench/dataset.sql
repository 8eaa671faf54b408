-- The fixed bench dataset, built through the API as the admin console (NULL token):
-- :events events with 2 artists each, :users users with a login token each, every event
-- with :stock tickets; event 1 is the "hot" one (price 1), the rest spread the load.
-- psql variables: secret_key, events, users, stock, money.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

-- The signing key, set as the release step sets it; tokens live longer than the default
-- 10 minutes because the bench does.
SELECT tm_signing_key_set(:'secret_key') IS NOT NULL AS key_set;
SET ticketmonster.token_ttl = '1d';

-- Bookkeeping of the bench itself, apart from the extension's schema.
CREATE SCHEMA bench;
CREATE TABLE bench.events (slot integer PRIMARY KEY, id integer NOT NULL UNIQUE);
CREATE TABLE bench.tokens (slot integer PRIMARY KEY, username text NOT NULL, token text NOT NULL);
-- What was put on sale (creation plus every restock) and what each account started with:
-- the two sides of the invariants checked after the purchases.
CREATE TABLE bench.on_sale (event_id integer NOT NULL, tickets integer NOT NULL);
CREATE TABLE bench.initial_money (username text PRIMARY KEY, money integer NOT NULL);

INSERT INTO bench.events
SELECT i, (tm_event_create(NULL, jsonb_build_object(
         'name', 'Bench event ' || i,
         'place', 'Hall ' || i,
         'city', 'City ' || i % 10,
         'date', date '2030-01-01' + i,
         'price', CASE WHEN i = 1 THEN 1 ELSE 5 + i % 20 END,
         'total_available_tickets', :stock)) -> 'event' ->> 'id')::integer
FROM generate_series(1, :events) AS i;

INSERT INTO bench.on_sale SELECT id, :stock FROM bench.events;

SELECT count(tm_event_artist_add(NULL, e.id, jsonb_build_object(
         'name', 'Bench artist ' || e.slot || '.' || a,
         'country', 'Country ' || e.slot % 7,
         'genre', (ARRAY['POP', 'ROCK', 'INDIE', 'TRAP', 'REGGAE'])[1 + (e.slot + a) % 5])))
         AS artists_linked
FROM bench.events AS e, generate_series(1, 2) AS a;

SELECT count(tm_account_create(jsonb_build_object(
         'username', format('bench%s', lpad(i::text, 4, '0')),
         'password', 'bench-password'))) AS accounts_created
FROM generate_series(1, :users) AS i;

-- Slots start at 0 to match pgbench's :client_id and wrk's thread order.
INSERT INTO bench.tokens
SELECT i - 1, u, tm_login(jsonb_build_object('username', u, 'password', 'bench-password')) ->> 'token'
FROM generate_series(1, :users) AS i, format('bench%s', lpad(i::text, 4, '0')) AS u;

-- Rich enough to keep buying for the whole bench: a direct UPDATE, as the superuser,
-- because the API has no "add money" (and must not).
UPDATE accounts SET available_money = :money WHERE NOT is_admin;
INSERT INTO bench.initial_money SELECT username, available_money FROM accounts;

-- A history, as a live system has: ten orders per user. Statements are planned with the
-- table sizes of their first calls, and a plan made while orders and tickets were empty
-- would scan them whole for as long as it is kept.
SELECT count(tm_order_create(NULL, format('bench%s', lpad(i::text, 4, '0')),
         jsonb_build_object('event_id', e.id, 'tickets_bought', 1))) AS history_orders
FROM generate_series(1, :users) AS i JOIN bench.events AS e ON e.slot % 5 = i % 5;

ANALYZE;
