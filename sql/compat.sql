SET ticketmonster.password_cost = 1;
SELECT FROM tm_signing_key_set('tm-regress-key-not-a-secret-0123456789abcdefghij');
-- Clients of the original app (issue 9): an identical POST /artist, available_tickets,
-- POST /account/<username> (tm_account_path_body) and the LEGACY_CLIENTS account read
-- (tm_account_legacy).
-- Convention: errors print their message, detail and hint; the line after a statement
-- that fails echoes its SQLSTATE (docs/errors.md maps it to the HTTP status).
-- Tokens vary per run, so they are kept in psql variables and never printed.
\set VERBOSITY default
\set SHOW_CONTEXT never

-- Ids of their own, whatever the tests before this one created, so outputs are stable.
ALTER TABLE artists ALTER COLUMN id RESTART WITH 901;
ALTER TABLE events ALTER COLUMN id RESTART WITH 901;

SELECT tm_create_admin('cmp_admin', 'admin password') IS NOT NULL AS admin;
SELECT tm_account_create('{"username": "cmp_alice", "password": "alice password"}') IS NOT NULL AS alice;
SELECT tm_login('{"username": "cmp_admin", "password": "admin password"}') ->> 'token' AS admin \gset
SELECT tm_login('{"username": "cmp_alice", "password": "alice password"}') ->> 'token' AS alice \gset

--
-- tm_artist_create: the same artist again is that artist, with a NOTICE (TM040: the shim
-- answers 200); the name with another country or genre is a conflict
--
SELECT tm_artist_create(:'admin', '{"name": "Cmp Band", "country": "Catalonia", "genre": "ROCK"}');
SELECT tm_artist_create(:'admin', '{"name": "Cmp Band", "country": "Catalonia", "genre": "ROCK"}');
SELECT tm_artist_create(:'admin', '{"name": " Cmp Band ", "country": "Catalonia ", "genre": "rock"}');
SELECT tm_artist_create(:'admin', '{"name": "Cmp Band", "country": "Spain", "genre": "ROCK"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_artist_create(:'admin', '{"name": "Cmp Band", "country": "Catalonia", "genre": "POP"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_artist_create(:'admin', '{"name": "Cmp Band", "country": "catalonia", "genre": "ROCK"}');
\echo :LAST_ERROR_SQLSTATE
-- still admins only, and still validated first
SELECT tm_artist_create(:'alice', '{"name": "Cmp Band", "country": "Catalonia", "genre": "ROCK"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_artist_create(:'admin', '{"name": "Cmp Band", "country": "Catalonia", "genre": "polka"}');
\echo :LAST_ERROR_SQLSTATE
-- the link of POST /event/<id>/artist made it first: the create that raced it is harmless
SELECT tm_event_create(:'admin', '{"name": "Cmp Fest", "place": "Plaça", "city": "Vic", "date": "2031-09-01", "price": 5, "total_available_tickets": 10}') #> '{event,id}' AS fest;
SELECT tm_event_artist_add(:'admin', 901, '{"name": "Cmp Linked", "country": "Andorra", "genre": "POP"}') #> '{event,artists}';
SELECT tm_artist_create(:'admin', '{"name": "Cmp Linked", "country": "Andorra", "genre": "pop"}');

--
-- available_tickets: another name of total_available_tickets in event bodies
--
SELECT tm_event_create(:'admin', '{"name": "Cmp Old Client", "place": "Sala", "city": "Vic", "date": "2031-09-02", "price": 5, "available_tickets": 42}') #> '{event,total_available_tickets}' AS created;
SELECT tm_event_update(:'admin', 902, '{"name": "Cmp Old Client", "place": "Sala", "city": "Vic", "date": "2031-09-02", "price": 5, "available_tickets": "40"}') #> '{event,total_available_tickets}' AS updated;
SELECT tm_event_update(:'admin', 902, '{"name": "Cmp Old Client", "place": "Sala", "city": "Vic", "date": "2031-09-02", "price": 5, "available_tickets": 39, "total_available_tickets": 39}') #> '{event,total_available_tickets}' AS both_equal;
SELECT tm_event_update(:'admin', 902, '{"name": "Cmp Old Client", "place": "Sala", "city": "Vic", "date": "2031-09-02", "price": 5, "available_tickets": 3, "total_available_tickets": 4}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_update(:'admin', 902, '{"name": "Cmp Old Client", "place": "Sala", "city": "Vic", "date": "2031-09-02", "price": 5, "available_tickets": -1}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_update(:'admin', 902, '{"name": "Cmp Old Client", "place": "Sala", "city": "Vic", "date": "2031-09-02", "price": 5, "available_tickets": null}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event(902) #> '{event,total_available_tickets}' AS unchanged;

--
-- tm_account_path_body: POST /account/<username> is tm_account_create(tm_account_path_body(...))
--
SELECT tm_account_path_body('cmp_bob', '{"password": "bob password"}');
SELECT tm_account_create(tm_account_path_body('cmp_bob', '{"password": "bob password"}'));
SELECT tm_account_create(tm_account_path_body('cmp_carol', '{"username": " cmp_carol ", "password": "carol password"}'));
SELECT tm_account_path_body('cmp_dave', '{"username": "cmp_mallory", "password": "dave password"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account_path_body('cmp_dave', '{"username": "CMP_DAVE", "password": "dave password"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account_path_body('cmp_dave', '{"username": 7, "password": "dave password"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account_path_body('cmp_dave', '[1]');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account_path_body(NULL, '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account_create(tm_account_path_body('cmp_bob', '{"password": "other password"}'));
\echo :LAST_ERROR_SQLSTATE

--
-- tm_account_legacy: the account without a token, as the original app served it; 404
-- for an unknown (or closed) name; any letter case means the account
--
SELECT tm_account_legacy('cmp_alice');
SELECT tm_account_legacy('CMP_Admin');
SELECT tm_account_legacy('cmp_nobody');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account_legacy(NULL);
\echo :LAST_ERROR_SQLSTATE

-- what this file made goes, so that later files see what they expect
SELECT tm_event_delete(NULL, id) IS NOT NULL FROM events WHERE name LIKE 'Cmp %' ORDER BY id;
SELECT tm_artist_delete(NULL, id) IS NOT NULL FROM artists WHERE name LIKE 'Cmp %' ORDER BY id;
SELECT tm_account_delete(NULL, username) IS NOT NULL FROM accounts WHERE username LIKE 'cmp%' ORDER BY username;
SELECT tm_account_legacy('cmp_bob');
\echo :LAST_ERROR_SQLSTATE
