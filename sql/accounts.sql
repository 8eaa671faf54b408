SET ticketmonster.password_cost = 1;
SELECT FROM tm_signing_key_set('tm-regress-key-not-a-secret-0123456789abcdefghij');
-- Accounts: POST /account, POST /login, GET /account/<username>, GET /accounts,
-- DELETE /account/<username>, and tm_create_admin() from psql.
-- Convention: errors print their message, detail and hint; the line after a statement
-- that fails echoes its SQLSTATE (docs/errors.md maps it to the HTTP status).
-- A wrong password is no error but a WARNING (SQLSTATE 28P01) and NULL, so that the failure
-- is counted (login_throttle.sql).
-- Tokens vary per run, so they are kept in psql variables and never printed.
\set VERBOSITY default
\set SHOW_CONTEXT never

--
-- tm_account_create
--
SELECT tm_account_create('{"username": "acc_alice", "password": "alice password"}');
-- the username is trimmed, the password is not
SELECT tm_account_create('{"username": "  acc_bob\t", "password": " bob password "}');
SELECT tm_account_create('{"username": "acc_bob", "password": "another password"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account_create('{"username": " acc_alice ", "password": "another password"}');
\echo :LAST_ERROR_SQLSTATE
-- usernames: 1..30 characters that need no escaping in a URL path
SELECT tm_account_create('{"username": "acc_carol.C-1@x+y", "password": "password"}') #> '{account,username}' AS username;
SELECT tm_account_create(jsonb_build_object('username', 'acc_' || repeat('d', 26), 'password', 'password')) #> '{account,username}' AS thirty_chars;
SELECT tm_account_create(jsonb_build_object('username', 'acc_' || repeat('d', 27), 'password', 'p'));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account_create('{"username": "acc eve", "password": "password"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account_create('{"username": "acc/eve", "password": "password"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account_create('{"username": "acc_évé", "password": "password"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account_create('{"username": "acc%2Feve", "password": "password"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account_create('{"username": "   ", "password": "password"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account_create('{"username": 42, "password": "password"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account_create('{"password": "password"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account_create('{"username": null, "password": "password"}');
\echo :LAST_ERROR_SQLSTATE
-- passwords: 1..256 bytes, anything
SELECT tm_account_create('{"username": "acc_eve"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account_create('{"username": "acc_eve", "password": ""}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account_create('{"username": "acc_eve", "password": 1234}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account_create(jsonb_build_object('username', 'acc_eve', 'password', repeat('é', 129)));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account_create(jsonb_build_object('username', 'acc_eve', 'password', repeat('é', 128))) #> '{account,username}' AS username;
SELECT tm_login(jsonb_build_object('username', 'acc_eve', 'password', repeat('é', 128))) ->> 'username' AS login;
SELECT tm_account_create(jsonb_build_object('username', 'acc_frank', 'password', repeat('p', 256))) #> '{account,username}' AS username;
SELECT tm_account_create(jsonb_build_object('username', 'acc_frank', 'password', repeat('p', 257)));
\echo :LAST_ERROR_SQLSTATE
-- the body
SELECT tm_account_create('[]');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account_create(NULL);
\echo :LAST_ERROR_SQLSTATE
-- nothing that failed was stored, and no account shows its hash
SELECT username, is_admin, available_money FROM accounts WHERE username LIKE 'acc\_%' ORDER BY username;

--
-- tm_login
--
SELECT tm_login('{"username": "acc_bob", "password": " bob password "}') AS login \gset
SELECT jsonb_object_keys(:'login'::jsonb) AS key ORDER BY 1;
SELECT :'login'::jsonb - 'token' AS login,
       jsonb_typeof(:'login'::jsonb -> 'token') AS token_type,
       :'login'::jsonb ->> 'token' ~ '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$' AS jwt_shaped;
SELECT tm_login('{"username": " acc_bob ", "password": " bob password "}') ->> 'username' AS trimmed_username;
SELECT tm_login('{"username": "acc_bob", "password": "bob password"}');
-- any letter case of the name logs in, and the stored spelling answers
SELECT tm_login('{"username": "ACC_Bob", "password": " bob password "}') ->> 'username' AS any_case;
-- an unknown name is a WARNING with P0002 and NULL: its failure counts for the address
SELECT tm_login('{"username": "acc_nobody", "password": "p"}');
SELECT tm_login('{"username": "acc_bob"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_login('{"password": "p"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_login('"acc_bob"');
\echo :LAST_ERROR_SQLSTATE

--
-- tm_create_admin: psql only, same validation, is_admin 1
--
SELECT tm_create_admin('acc_admin', 'admin password');
SELECT tm_login('{"username": "acc_admin", "password": "admin password"}') - 'token' AS login;
SELECT tm_create_admin('acc_admin', 'other password');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_create_admin(' acc_root ', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT tm_create_admin(NULL, 'p');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_create_admin('acc root', 'password');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_create_admin(' acc_root ', ' root password ');
SELECT tm_login('{"username": "acc_root", "password": " root password "}') ->> 'is_admin' AS is_admin;

SELECT tm_login('{"username": "acc_alice", "password": "alice password"}') ->> 'token' AS alice \gset
SELECT tm_login('{"username": "acc_bob", "password": " bob password "}') ->> 'token' AS bob \gset
SELECT tm_login('{"username": "acc_admin", "password": "admin password"}') ->> 'token' AS admin \gset

--
-- tm_account: the owner or an admin
--
SELECT tm_account(:'alice', 'acc_alice');
SELECT tm_account(:'alice', 'acc_bob');
\echo :LAST_ERROR_SQLSTATE
-- a user cannot tell whether someone else's account exists
SELECT tm_account(:'alice', 'acc_nobody');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account(:'admin', 'acc_bob');
SELECT tm_account(:'admin', 'acc_admin');
SELECT tm_account(:'admin', 'acc_nobody');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account(NULL, 'acc_alice');
SELECT tm_account('', 'acc_alice');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account(:'admin', NULL);
\echo :LAST_ERROR_SQLSTATE

--
-- tm_accounts: admins only, ordered by username
--
SELECT tm_accounts(:'alice');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_accounts('');
\echo :LAST_ERROR_SQLSTATE
SELECT account FROM jsonb_array_elements(tm_accounts(:'admin') -> 'accounts') WITH ORDINALITY AS a(account, n)
WHERE account ->> 'username' LIKE 'acc\_%' ORDER BY n;
SELECT jsonb_array_length(tm_accounts(NULL) -> 'accounts') = (SELECT count(*) FROM accounts) AS lists_every_account,
       NOT tm_accounts(NULL)::text LIKE '%password%' AS no_hashes;

--
-- tm_account_delete: admins only; the account is closed, its orders refunded and kept, their tickets back on sale
--
INSERT INTO events (name, place, city, date, price, tickets_left)
VALUES ('acc_fest', 'Park', 'Lisbon', '2031-06-01', 10, 5) RETURNING id AS fest \gset
INSERT INTO events (name, place, city, date, price, tickets_left)
VALUES ('acc_gig', 'Club', 'Porto', '2031-07-01', 20, 0) RETURNING id AS gig \gset
INSERT INTO orders (username, event_id, tickets_bought, price) VALUES
    ('acc_bob', :fest, 3, 10), ('acc_bob', :fest, 2, 10), ('acc_bob', :gig, 4, 20),
    ('acc_alice', :fest, 1, 10);
-- orders made by hand count as sold, as a purchase would count them
UPDATE events e SET tickets_sold = (SELECT sum(tickets_bought) FROM orders o WHERE o.event_id = e.id)
WHERE id IN (:fest, :gig);
INSERT INTO idempotency_keys (username, key, request_hash, response)
VALUES ('acc_bob', 'k1', 'h', '{}');
SELECT tm_account_delete(:'bob', 'acc_bob');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account_delete(:'alice', 'acc_alice');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account_delete('', 'acc_bob');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account_delete(:'admin', 'acc_nobody');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account_delete(:'admin', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account_delete(:'admin', 'acc_bob');
SELECT name, tickets_left FROM events WHERE name LIKE 'acc\_%' ORDER BY name;
-- closed, not deleted: its orders stay, refunded, and its name stays taken
SELECT username, tickets_bought, status FROM orders WHERE event_id IN (:fest, :gig) ORDER BY username, id;
SELECT count(*) AS bob_rows FROM (
    SELECT username FROM accounts WHERE username = 'acc_bob'
    UNION ALL SELECT username FROM idempotency_keys WHERE username = 'acc_bob') AS bob;
-- his token dies with him
SELECT tm_account(:'bob', 'acc_bob');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account_delete(:'admin', 'acc_bob');
\echo :LAST_ERROR_SQLSTATE
-- an account without orders, from the console
SELECT tm_account_delete(NULL, 'acc_frank');

--
-- Privileges: the web role executes the API and reads no table; admins come from psql.
--
CREATE ROLE regress_tm_accounts_web;
GRANT ticketmonster_web TO regress_tm_accounts_web;
SET ROLE regress_tm_accounts_web;
SELECT username FROM accounts;
\echo :LAST_ERROR_SQLSTATE
UPDATE accounts SET available_money = 1000000;
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account_create('{"username": "acc_web", "password": "web password"}');
SELECT tm_login('{"username": "acc_web", "password": "web password"}') - 'token' AS login;
SELECT tm_account(:'admin', 'acc_web');
SELECT tm_create_admin('acc_web_admin', 'password');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account_delete(NULL, 'acc_web');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- even granted EXECUTE by mistake, tm_create_admin stays the console's
GRANT EXECUTE ON FUNCTION tm_create_admin(text, text) TO regress_tm_accounts_web;
SET ROLE regress_tm_accounts_web;
SELECT tm_create_admin('acc_web_admin', 'password');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
REVOKE EXECUTE ON FUNCTION tm_create_admin(text, text) FROM regress_tm_accounts_web;

DELETE FROM tickets WHERE order_id IN (SELECT id FROM orders WHERE event_id IN (:fest, :gig));
DELETE FROM orders WHERE event_id IN (:fest, :gig);
DELETE FROM events WHERE id IN (:fest, :gig);
DELETE FROM accounts WHERE username LIKE 'acc\_%';
DROP ROLE regress_tm_accounts_web;
