-- A 1.0 database as production would have it, filled through the 1.0 API from the console:
-- accounts with passwords (an admin among them), events past and future, artists and
-- line-ups, single orders and a cart, a purchase with an Idempotency-Key, a deleted event
-- (refunded), a deleted account, and failed logins still counting towards a lockout.
-- Runs against the 1.0 library. upgrade_check.* keeps what the checks after the update need.
\set ON_ERROR_STOP on
SET client_min_messages = error;
SET ticketmonster.secret_key = 'upgrade-test-key-0123456789abcdef0123456789';
SET ticketmonster.password_cost = 1;

CREATE SCHEMA upgrade_check;
CREATE TABLE upgrade_check.passwords (username text PRIMARY KEY, password text NOT NULL);
INSERT INTO upgrade_check.passwords VALUES
    ('boss', 'boss-password-1'), ('alice', 'alice-password'), ('bob', 'bob-password'),
    ('Carol', 'carol-password'), ('dave', 'dave-password'), ('erin', 'x');

SELECT tm_create_admin('boss', 'boss-password-1') IS NOT NULL AS admin;
SELECT tm_account_create(jsonb_build_object('username', username, 'password', password)) IS NOT NULL
FROM upgrade_check.passwords WHERE username <> 'boss' ORDER BY username;
SELECT tm_account_create('{"username": "frank", "password": "frank-password"}') IS NOT NULL AS frank;

SELECT tm_event_create(NULL, '{"name": "Canet Rock 2020", "place": "Platja", "city": "Canet de Mar",
        "date": "2020-07-05", "price": 50, "total_available_tickets": 300}') -> 'event' ->> 'id' AS past \gset
SELECT tm_event_create(NULL, '{"name": "Primavera 2099", "place": "Parc del Forum",
        "city": "Barcelona", "date": "2099-06-01", "price": 30, "total_available_tickets": 10}') -> 'event' ->> 'id' AS future \gset
SELECT tm_event_create(NULL, '{"name": "Free Jam", "place": "Sala Apolo",
        "city": "Barcelona", "date": "2099-01-15", "price": 0, "total_available_tickets": 500}') -> 'event' ->> 'id' AS free \gset
SELECT tm_event_create(NULL, '{"name": "Cancelled Gig", "place": "Razzmatazz",
        "city": "Barcelona", "date": "2099-03-03", "price": 20, "total_available_tickets": 50}') -> 'event' ->> 'id' AS doomed \gset

SELECT tm_event_artist_add(NULL, :past, '{"name": "Txarango", "country": "Spain", "genre": "reggae"}') IS NOT NULL;
SELECT tm_event_artist_add(NULL, :future, '{"name": "Txarango", "country": "Spain", "genre": "REGGAE"}') IS NOT NULL;
SELECT tm_event_artist_add(NULL, :future, '{"name": "Bad Gyal", "country": "Spain", "genre": "TRAP"}') IS NOT NULL;
SELECT tm_artist_create(NULL, '{"name": "Unbooked", "country": "Iceland", "genre": "INDIE"}') IS NOT NULL;

SELECT tm_order_create(NULL, 'alice', jsonb_build_object('event_id', :past, 'tickets_bought', 2)) IS NOT NULL;
SELECT tm_order_create(NULL, 'bob', jsonb_build_object('orders', jsonb_build_array(
        jsonb_build_object('event_id', :future, 'tickets_bought', 3),
        jsonb_build_object('event_id', :free, 'tickets_bought', 4)))) IS NOT NULL;
SELECT tm_order_create(NULL, 'Carol', jsonb_build_object('event_id', :future, 'tickets_bought', 1),
                       'carol-retry-key') IS NOT NULL;
SELECT tm_order_create(NULL, 'dave', jsonb_build_object('event_id', :doomed, 'tickets_bought', 5)) IS NOT NULL;
SELECT tm_order_create(NULL, 'frank', jsonb_build_object('event_id', :future, 'tickets_bought', 2)) IS NOT NULL;
SELECT tm_event_delete(NULL, :doomed) IS NOT NULL AS refunded;
SELECT tm_account_delete(NULL, 'frank') IS NOT NULL AS closed;

-- Three failed logins of erin's, in the window that is still open.
SELECT tm_login('{"username": "erin", "password": "wrong"}') FROM generate_series(1, 3);

-- What the API answered before the update; the checks compare the 1.0 fields with it.
CREATE TABLE upgrade_check.before AS
SELECT 'accounts' AS what, tm_accounts(NULL) AS body
UNION ALL SELECT 'events', tm_events()
UNION ALL SELECT 'artists', tm_artists()
UNION ALL SELECT 'orders', tm_orders(NULL);
