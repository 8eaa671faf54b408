SET ticketmonster.password_cost = 1;
SELECT FROM tm_signing_key_set('tm-regress-key-not-a-secret-0123456789abcdefghij');
-- Artists: GET /artists, GET /artist/<id>, GET /artist/<id>/events, POST /artist,
-- PUT /artist/<id>, DELETE /artist/<id>.
-- Convention: errors print their message, detail and hint; the line after a statement
-- that fails echoes its SQLSTATE (docs/errors.md maps it to the HTTP status).
-- Tokens vary per run, so they are kept in psql variables and never printed.
\set VERBOSITY default
\set SHOW_CONTEXT never

-- Ids of their own, whatever the tests before this one created, so outputs are stable.
ALTER TABLE artists ALTER COLUMN id RESTART WITH 101;
ALTER TABLE events ALTER COLUMN id RESTART WITH 101;

SELECT tm_create_admin('art_admin', 'admin password') IS NOT NULL AS admin;
SELECT tm_account_create('{"username": "art_user", "password": "user password"}') IS NOT NULL AS user;
SELECT tm_login('{"username": "art_admin", "password": "admin password"}') ->> 'token' AS admin \gset
SELECT tm_login('{"username": "art_user", "password": "user password"}') ->> 'token' AS user \gset

--
-- tm_artists, before there are any
--
SELECT tm_artists();

--
-- tm_artist_create: admins only
--
SELECT tm_artist_create(:'admin', '{"name": "Bob Marley", "country": "Jamaica", "genre": "REGGAE"}');
-- fields are trimmed; the genre is matched in any letter case and stored in upper case
SELECT tm_artist_create(:'admin', '{"name": "  Rosalía ", "country": " Spain ", "genre": "Pop"}');
-- the console
SELECT tm_artist_create(NULL, '{"name": "Kendrick Lamar", "country": "USA", "genre": "hip hop"}');
-- every genre of the contract
SELECT genre, tm_artist_create(NULL, jsonb_build_object('name', 'Genre ' || genre, 'country', 'X',
                                                        'genre', lower(genre))) #>> '{artist,genre}' AS stored
FROM unnest(ARRAY['REGGAE', 'POP', 'TRAP', 'HIP HOP', 'ROCK', 'INDIE', 'HEAVY', 'ELECTRONIC', 'OTHER']) AS genre;
-- names are unique, trimmed or not
SELECT tm_artist_create(:'admin', '{"name": "Bob Marley", "country": "UK", "genre": "ROCK"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_artist_create(:'admin', '{"name": " Bob Marley ", "country": "UK", "genre": "ROCK"}');
\echo :LAST_ERROR_SQLSTATE
-- 30 characters of name, 100 of country
SELECT tm_artist_create(:'admin', jsonb_build_object('name', repeat('Z', 30), 'country', repeat('c', 100), 'genre', 'OTHER')) #> '{artist,id}' AS id;
-- bad input: every field missing, of the wrong type, empty, too long; bad genres; bad bodies
SELECT tm_artist_create(:'admin', '{"country": "UK", "genre": "ROCK"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_artist_create(:'admin', '{"name": null, "country": "UK", "genre": "ROCK"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_artist_create(:'admin', '{"name": 42, "country": "UK", "genre": "ROCK"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_artist_create(:'admin', '{"name": "  ", "country": "UK", "genre": "ROCK"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_artist_create(:'admin', jsonb_build_object('name', repeat('n', 31), 'country', 'UK', 'genre', 'ROCK'));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_artist_create(:'admin', '{"name": "Nobody", "genre": "ROCK"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_artist_create(:'admin', '{"name": "Nobody", "country": ["UK"], "genre": "ROCK"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_artist_create(:'admin', jsonb_build_object('name', 'Nobody', 'country', repeat('c', 101), 'genre', 'ROCK'));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_artist_create(:'admin', '{"name": "Nobody", "country": "UK"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_artist_create(:'admin', '{"name": "Nobody", "country": "UK", "genre": "JAZZ"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_artist_create(:'admin', '{"name": "Nobody", "country": "UK", "genre": "HIPHOP"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_artist_create(:'admin', '{"name": "Nobody", "country": "UK", "genre": 3}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_artist_create(:'admin', '["Nobody", "UK", "ROCK"]');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_artist_create(:'admin', NULL);
\echo :LAST_ERROR_SQLSTATE
-- users may not; no token or a bad one is unauthenticated, checked before the body
SELECT tm_artist_create(:'user', '{"name": "Nobody", "country": "UK", "genre": "ROCK"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_artist_create('', '{"name": "Nobody", "country": "UK", "genre": "ROCK"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_artist_create('not.a.token', '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS nobodies FROM artists WHERE name = 'Nobody';

--
-- tm_artist, tm_artists: public; the list is ordered by name
--
SELECT tm_artist(101);
SELECT tm_artist(999);
\echo :LAST_ERROR_SQLSTATE
SELECT tm_artist(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT artist FROM jsonb_array_elements(tm_artists() -> 'artists') AS artist;

--
-- tm_artist_update: admins only
--
SELECT tm_artist_update(:'admin', 101, '{"name": "Bob Marley & The Wailers", "country": "Jamaica", "genre": "reggae"}');
-- keeping its own name is no conflict
SELECT tm_artist_update(NULL, 101, '{"name": "Bob Marley & The Wailers", "country": "JM", "genre": "Other"}');
SELECT tm_artist_update(:'admin', 101, '{"name": "Kendrick Lamar", "country": "JM", "genre": "REGGAE"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_artist_update(:'admin', 999, '{"name": "Ghost", "country": "JM", "genre": "REGGAE"}');
\echo :LAST_ERROR_SQLSTATE
-- a missing artist with a taken name is still missing
SELECT tm_artist_update(:'admin', 999, '{"name": "Kendrick Lamar", "country": "JM", "genre": "REGGAE"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_artist_update(:'admin', NULL, '{"name": "Ghost", "country": "JM", "genre": "REGGAE"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_artist_update(:'admin', 101, '{"name": "Bob", "country": "JM", "genre": "SKA"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_artist_update(:'admin', 101, '{"name": "Bob", "genre": "REGGAE"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_artist_update(:'user', 101, '{"name": "Bob", "country": "JM", "genre": "REGGAE"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_artist(101);

--
-- tm_artist_events: public; 404 without the artist, events ordered by date
--
SELECT tm_event_create(NULL, '{"name": "Art Summer", "place": "Park", "city": "Kingston", "date": "2030-07-01", "price": 10, "total_available_tickets": 5}') #> '{event,id}' AS summer;
SELECT tm_event_create(NULL, '{"name": "Art Spring", "place": "Hall", "city": "Kingston", "date": "2030-04-01", "price": 20, "total_available_tickets": 5}') #> '{event,id}' AS spring;
SELECT tm_artist_events(101);
SELECT tm_event_artist_add(NULL, 101, '{"id": 101}') #> '{event,artists}' AS summer_artists;
SELECT tm_event_artist_add(NULL, 101, '{"id": 103}') #> '{event,artists}' AS summer_artists;
SELECT tm_event_artist_add(NULL, 102, '{"id": 101}') #> '{event,artists}' AS spring_artists;
SELECT tm_artist_events(101);
SELECT tm_artist_events(999);
\echo :LAST_ERROR_SQLSTATE
SELECT tm_artist_events(NULL);
\echo :LAST_ERROR_SQLSTATE
-- an event's version names its body, its artists included: an artist's edit moves the
-- versions of the events that show it, and only theirs
SELECT id, version FROM events WHERE id IN (101, 102) ORDER BY id;
SELECT tm_artist_update(NULL, 103, '{"name": "Kendrick Lamar", "country": "US", "genre": "HIP HOP"}') #>> '{artist,country}' AS country;
SELECT id, version FROM events WHERE id IN (101, 102) ORDER BY id;

--
-- tm_artist_delete: admins only; unlinks the artist from its events, which stay
--
SELECT tm_artist_delete(:'user', 101);
\echo :LAST_ERROR_SQLSTATE
SELECT tm_artist_delete('', 101);
\echo :LAST_ERROR_SQLSTATE
SELECT tm_artist_delete(:'admin', 101);
SELECT tm_artist(101);
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event(101) #> '{event,artists}' AS summer_artists, tm_event(102) #> '{event,artists}' AS spring_artists;
-- both showed it: both versions moved on
SELECT id, version FROM events WHERE id IN (101, 102) ORDER BY id;
SELECT tm_artist_delete(:'admin', 101);
\echo :LAST_ERROR_SQLSTATE
SELECT tm_artist_delete(NULL, 103);
SELECT count(*) AS links FROM event_artists WHERE event_id IN (101, 102);

DELETE FROM events WHERE id IN (101, 102);
DELETE FROM artists WHERE id >= 101;
DELETE FROM accounts WHERE username LIKE 'art\_%';
