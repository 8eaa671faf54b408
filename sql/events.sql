SET ticketmonster.password_cost = 1;
SELECT FROM tm_signing_key_set('tm-regress-key-not-a-secret-0123456789abcdefghij');
-- Events and their artists: GET /events, GET /event/<id>, POST /event, PUT /event/<id>,
-- DELETE /event/<id>, GET /event/<id>/artists, GET /event/<id>/artist/<artist_id>,
-- POST /event/<id>/artist, DELETE /event/<id>/artist/<artist_id>.
-- Convention: errors print their message, detail and hint; the line after a statement
-- that fails echoes its SQLSTATE (docs/errors.md maps it to the HTTP status).
-- Tokens vary per run, so they are kept in psql variables and never printed.
\set VERBOSITY default
\set SHOW_CONTEXT never

-- Ids of their own, whatever the tests before this one created, so outputs are stable.
ALTER TABLE events ALTER COLUMN id RESTART WITH 201;
ALTER TABLE artists ALTER COLUMN id RESTART WITH 201;

SELECT tm_create_admin('evt_admin', 'admin password') IS NOT NULL AS admin;
SELECT tm_account_create('{"username": "evt_alice", "password": "alice password"}') IS NOT NULL AS alice;
SELECT tm_account_create('{"username": "evt_bob", "password": "bob password"}') IS NOT NULL AS bob;
SELECT tm_login('{"username": "evt_admin", "password": "admin password"}') ->> 'token' AS admin \gset
SELECT tm_login('{"username": "evt_alice", "password": "alice password"}') ->> 'token' AS alice \gset
SELECT tm_login('{"username": "evt_bob", "password": "bob password"}') ->> 'token' AS bob \gset

--
-- tm_events, before there are any
--
SELECT tm_events();

--
-- tm_event_create: admins only
--
SELECT tm_event_create(:'admin', '{"name": "Rock Night", "place": "Razzmatazz", "city": "Barcelona", "date": "2030-05-01", "price": 30, "total_available_tickets": 100}');
-- numbers as numeric strings (form posts); text trimmed; the console
SELECT tm_event_create(NULL, '{"name": " Jazz Brunch ", "place": "Jamboree\t", "city": " Barcelona", "date": "2030-03-01", "price": " 15 ", "total_available_tickets": "40"}');
-- free, sold out, at the limits of every field
SELECT tm_event_create(:'admin', jsonb_build_object('name', repeat('N', 30), 'place', repeat('p', 100), 'city', repeat('c', 100),
    'date', '2028-02-29', 'price', 0, 'total_available_tickets', 0));
SELECT tm_event_create(:'admin', '{"name": "Big Money", "place": "Stadium", "city": "Madrid", "date": "2030-03-01", "price": 2147483647, "total_available_tickets": "2147483647"}') #> '{event,price}' AS price;
-- (name, date, city) is unique; any two of them may repeat
SELECT tm_event_create(:'admin', '{"name": "Rock Night", "place": "Apolo", "city": "Barcelona", "date": "2030-05-01", "price": 10, "total_available_tickets": 5}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_create(:'admin', '{"name": "Rock Night ", "place": "Apolo", "city": " Barcelona", "date": "2030-05-01", "price": 10, "total_available_tickets": 5}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_create(:'admin', '{"name": "Rock Night", "place": "Apolo", "city": "Girona", "date": "2030-05-01", "price": 10, "total_available_tickets": 5}') #> '{event,id}' AS other_city;
SELECT tm_event_create(:'admin', '{"name": "Rock Night", "place": "Apolo", "city": "Barcelona", "date": "2030-05-02", "price": 10, "total_available_tickets": 5}') #> '{event,id}' AS other_date;
-- bad input, field by field: missing, wrong type, empty, too long, out of range, not a date
CREATE FUNCTION pg_temp.ev(field text, value jsonb) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object('name', 'Bad Event', 'place', 'Nowhere', 'city', 'Nowhere',
        'date', '2030-01-01', 'price', 1, 'total_available_tickets', 1) || jsonb_build_object(field, value))
$$;
SELECT tm_event_create(:'admin', pg_temp.ev('name', NULL));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_create(:'admin', pg_temp.ev('name', '7'));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_create(:'admin', pg_temp.ev('name', '" "'));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_create(:'admin', pg_temp.ev('name', to_jsonb(repeat('N', 31))));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_create(:'admin', pg_temp.ev('place', NULL));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_create(:'admin', pg_temp.ev('place', '{"x": 1}'));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_create(:'admin', pg_temp.ev('place', to_jsonb(repeat('p', 101))));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_create(:'admin', pg_temp.ev('city', NULL));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_create(:'admin', pg_temp.ev('city', 'true'));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_create(:'admin', pg_temp.ev('city', to_jsonb(repeat('c', 101))));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_create(:'admin', pg_temp.ev('date', NULL));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_create(:'admin', pg_temp.ev('date', '20300101'));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_create(:'admin', pg_temp.ev('date', '"2021-02-30"'));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_create(:'admin', pg_temp.ev('date', '"2029-02-29"'));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_create(:'admin', pg_temp.ev('date', '"2030-13-01"'));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_create(:'admin', pg_temp.ev('date', '"2030-1-1"'));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_create(:'admin', pg_temp.ev('date', '"01/05/2030"'));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_create(:'admin', pg_temp.ev('date', '"2030-05-01T20:00"'));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_create(:'admin', pg_temp.ev('price', NULL));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_create(:'admin', pg_temp.ev('price', '"ten"'));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_create(:'admin', pg_temp.ev('price', '1.5'));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_create(:'admin', pg_temp.ev('price', '[1]'));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_create(:'admin', pg_temp.ev('price', '-1'));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_create(:'admin', pg_temp.ev('price', '2147483648'));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_create(:'admin', pg_temp.ev('total_available_tickets', NULL));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_create(:'admin', pg_temp.ev('total_available_tickets', 'false'));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_create(:'admin', pg_temp.ev('total_available_tickets', '"-5"'));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_create(:'admin', pg_temp.ev('total_available_tickets', '"99999999999"'));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_create(:'admin', '[]');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_create(:'admin', NULL);
\echo :LAST_ERROR_SQLSTATE
-- users may not; no token or a bad one is unauthenticated
SELECT tm_event_create(:'alice', pg_temp.ev('name', '"Alice Party"'));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_create('', pg_temp.ev('name', '"Alice Party"'));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_create(:'alice' || 'x', pg_temp.ev('name', '"Alice Party"'));
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS rejected_events FROM events WHERE name IN ('Bad Event', 'Alice Party');

--
-- tm_events, tm_event: public; the list is ordered by date, then id
--
SELECT event FROM jsonb_array_elements(tm_events() -> 'events') AS event;
SELECT tm_event(202);
SELECT tm_event(999);
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event(NULL);
\echo :LAST_ERROR_SQLSTATE

--
-- tm_event_update: admins only; the six fields again
--
SELECT tm_event_update(:'admin', 202, '{"name": "Jazz Lunch", "place": "Jamboree", "city": "Barcelona", "date": "2030-03-02", "price": "18", "total_available_tickets": 35}');
-- keeping its own (name, date, city) is no conflict
SELECT tm_event_update(NULL, 202, '{"name": "Jazz Lunch", "place": "Jamboree Club", "city": "Barcelona", "date": "2030-03-02", "price": 18, "total_available_tickets": 35}') #>> '{event,place}' AS place;
-- taking another event's is
SELECT tm_event_update(:'admin', 202, '{"name": "Rock Night", "place": "Jamboree", "city": "Barcelona", "date": "2030-05-01", "price": 18, "total_available_tickets": 35}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_update(:'admin', 999, pg_temp.ev('name', '"Ghost"'));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_update(:'admin', NULL, pg_temp.ev('name', '"Ghost"'));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_update(:'admin', 202, pg_temp.ev('date', '"2030-04-31"'));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_update(:'admin', 202, pg_temp.ev('total_available_tickets', '-1'));
\echo :LAST_ERROR_SQLSTATE
-- tickets left plus tickets sold must fit in 32 bits (or an account delete could not put
-- them back); on an event of its own, free, removed again, with its id kept out of the output
SELECT tm_event_create(NULL, '{"name": "Big Stock", "place": "Camp Nou", "city": "Barcelona", "date": "2030-09-01", "price": 0, "total_available_tickets": 10}') #> '{event,id}' AS big_id \gset
SELECT tm_order_create(NULL, 'evt_alice', jsonb_build_object('event_id', :big_id, 'tickets_bought', 2)) IS NOT NULL AS bought;
\set VERBOSITY terse
SELECT tm_event_update(:'admin', :big_id, '{"name": "Big Stock", "place": "Camp Nou", "city": "Barcelona", "date": "2030-09-01", "price": 0, "total_available_tickets": 2147483646}');
\set VERBOSITY default
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_update(:'admin', :big_id, '{"name": "Big Stock", "place": "Camp Nou", "city": "Barcelona", "date": "2030-09-01", "price": 0, "total_available_tickets": 2147483645}') #> '{event,total_available_tickets}' AS tickets_left;
SELECT tm_event_delete(:'admin', :big_id) IS NOT NULL AS deleted;
SELECT tm_event_update(:'admin', 202, '{"name": "Jazz Lunch"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_update(:'alice', 202, pg_temp.ev('name', '"Alice Party"'));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event(202);

--
-- tm_event_artist_add: admins only; an artist by id, or by name (created when new)
--
SELECT tm_artist_create(NULL, '{"name": "Manu Chao", "country": "France", "genre": "REGGAE"}') #> '{artist,id}' AS manu;
SELECT tm_event_artist_add(:'admin', 201, '{"id": 201}');
-- a new name creates the artist, in upper-case genre; the list is ordered by name
SELECT tm_event_artist_add(:'admin', 201, '{"name": "Estopa", "country": "Spain", "genre": "rock"}');
SELECT tm_artist(202);
-- an existing name links that artist as it is
SELECT tm_event_artist_add(NULL, 202, '{"name": "Manu Chao", "country": "Nowhere", "genre": "POP"}') #> '{event,artists}' AS artists;
SELECT tm_event_artist_add(:'admin', 202, '{"id": "202"}') #> '{event,artists}' AS artists;
-- linking twice
SELECT tm_event_artist_add(:'admin', 201, '{"id": 201}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_artist_add(:'admin', 201, '{"name": "Estopa", "country": "Spain", "genre": "ROCK"}');
\echo :LAST_ERROR_SQLSTATE
-- missing event, missing artist
SELECT tm_event_artist_add(:'admin', 999, '{"id": 201}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_artist_add(:'admin', 999, '{"name": "Nobody New", "country": "Spain", "genre": "ROCK"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_artist_add(:'admin', 201, '{"id": 999}');
\echo :LAST_ERROR_SQLSTATE
-- bad input
SELECT tm_event_artist_add(:'admin', 201, '{"id": "one"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_artist_add(:'admin', 201, '{"id": 0}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_artist_add(:'admin', 201, '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_artist_add(:'admin', 201, '{"name": "Nobody New", "country": "Spain"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_artist_add(:'admin', 201, '{"name": "Nobody New", "country": "Spain", "genre": "FLAMENCO"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_artist_add(:'admin', NULL, '{"id": 201}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_artist_add(:'alice', 201, '{"id": 201}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_artist_add('', 201, '{"id": 201}');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS nobody_new FROM artists WHERE name = 'Nobody New';

--
-- tm_event_artists, tm_event_artist: public
--
SELECT tm_event_artists(201);
SELECT tm_event_artists(203);
SELECT tm_event_artists(999);
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_artist(201, 202);
SELECT tm_event_artist(203, 202);
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_artist(999, 202);
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_artist(201, NULL);
\echo :LAST_ERROR_SQLSTATE

--
-- tm_event_artist_remove: admins only; the artist stays
--
SELECT tm_event_artist_remove(:'alice', 201, 202);
\echo :LAST_ERROR_SQLSTATE
-- the event's body changes, and so its version
SELECT version AS before FROM events WHERE id = 201;
SELECT tm_event_artist_remove(:'admin', 201, 202);
SELECT version AS after FROM events WHERE id = 201;
SELECT tm_event_artist_remove(:'admin', 201, 202);
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_artist_remove(NULL, 999, 202);
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_artist_remove(NULL, 201, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_artists(201), tm_artist(202) #>> '{artist,name}' AS still_there;

--
-- tm_event_delete: admins only; every order is refunded to its buyer and removed
--
SELECT tm_order_create(:'alice', 'evt_alice', '{"event_id": 201, "tickets_bought": 2}') #> '{order,price}' AS price;
SELECT tm_order_create(:'alice', 'evt_alice', '{"event_id": 201, "tickets_bought": 1}') #> '{order,price}' AS price;
SELECT tm_order_create(:'bob', 'evt_bob', '{"event_id": 201, "tickets_bought": 3}') #> '{order,price}' AS price;
SELECT tm_order_create(:'bob', 'evt_bob', '{"event_id": 202, "tickets_bought": 1}') #> '{order,price}' AS price;
SELECT username, available_money FROM accounts WHERE username LIKE 'evt\_%' ORDER BY username;
SELECT tm_event_delete(:'alice', 201);
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_delete('', 201);
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_delete(:'admin', 201);
SELECT username, available_money FROM accounts WHERE username LIKE 'evt\_%' ORDER BY username;
SELECT username, event_id, tickets_bought, status FROM orders WHERE username LIKE 'evt\_%' ORDER BY id;
SELECT count(*) AS links FROM event_artists WHERE event_id = 201;
SELECT tm_event(201);
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_delete(:'admin', 201);
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_delete(:'admin', NULL);
\echo :LAST_ERROR_SQLSTATE
-- called inside a caller's exception block, a failure leaves the caller's own
-- subtransaction to it
DO $$
BEGIN
    PERFORM tm_event_delete(NULL, 201);
EXCEPTION WHEN no_data_found THEN
    RAISE NOTICE 'caught: %', SQLERRM;
END
$$;
-- the console; an event without orders
SELECT tm_event_delete(NULL, 203);
SELECT id FROM events WHERE id >= 201 AND deleted_at IS NULL ORDER BY id;

SELECT tm_event_delete(NULL, id) FROM events WHERE id >= 201 AND deleted_at IS NULL ORDER BY id;
DELETE FROM tickets WHERE order_id IN (SELECT id FROM orders WHERE username LIKE 'evt\_%');
DELETE FROM orders WHERE username LIKE 'evt\_%';
DELETE FROM event_artists WHERE event_id >= 201;
DELETE FROM events WHERE id >= 201;
DELETE FROM artists WHERE id >= 201;
DELETE FROM accounts WHERE username LIKE 'evt\_%';
