SET ticketmonster.password_cost = 1;
SELECT FROM tm_signing_key_set('tm-regress-key-not-a-secret-0123456789abcdefghij');
-- The account model of 1.1: roles (user, admin, staff), usernames unique in any letter case,
-- closed accounts, strong new passwords, the starting credit as a setting.
-- Convention: errors print their message, detail and hint; the line after a statement
-- that fails echoes its SQLSTATE.
\set VERBOSITY default
\set SHOW_CONTEXT never

--
-- roles: staff accounts are made from the console, like admins
--
SELECT tm_create_staff('rol_door', 'door password') AS staff;
SELECT tm_create_admin('rol_boss', 'boss password') -> 'account' ->> 'role' AS admin_role;
SELECT tm_account_create('{"username": "Rol_Alice", "password": "alice password"}') -> 'account' AS user;
SELECT tm_login('{"username": "rol_door", "password": "door password"}') - 'token' AS staff_login;
SELECT tm_login('{"username": "rol_door", "password": "door password"}') ->> 'token' AS staff \gset
SELECT tm_login('{"username": "rol_boss", "password": "boss password"}') ->> 'token' AS boss \gset
SELECT tm_login('{"username": "Rol_Alice", "password": "alice password"}') ->> 'token' AS alice \gset
-- staff see their own account, and nothing of an admin's or a user's
SELECT tm_account(:'staff', 'rol_door') -> 'account' AS own;
SELECT tm_accounts(:'staff');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account(:'staff', 'Rol_Alice');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_orders(:'staff');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_event_create(:'staff', '{"name": "Rol Gig", "place": "Hall", "city": "Vic",
        "date": "2099-01-01", "price": 5, "total_available_tickets": 10}');
\echo :LAST_ERROR_SQLSTATE
-- staff do not buy
SELECT tm_event_create(NULL, '{"name": "Rol Gig", "place": "Hall", "city": "Vic",
        "date": "2099-01-01", "price": 5, "total_available_tickets": 10}') #>> '{event,id}' AS gig \gset
SELECT tm_order_create(:'staff', 'rol_door', jsonb_build_object('event_id', :gig, 'tickets_bought', 1));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_order_create(NULL, 'rol_door', jsonb_build_object('event_id', :gig, 'tickets_bought', 1));
\echo :LAST_ERROR_SQLSTATE
-- the role is the account's, not the token's: a staff member made admin is admin at once
UPDATE accounts SET role = 'admin' WHERE username = 'rol_door';
SELECT jsonb_array_length(tm_accounts(:'staff') -> 'accounts') > 0 AS promoted;
UPDATE accounts SET role = 'staff' WHERE username = 'rol_door';
SELECT tm_accounts(:'staff');
\echo :LAST_ERROR_SQLSTATE
-- only the three roles, and is_admin follows the role
\set VERBOSITY terse
UPDATE accounts SET role = 'root' WHERE username = 'rol_door';
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
UPDATE accounts SET is_admin = true WHERE username = 'rol_door';
\echo :LAST_ERROR_SQLSTATE
SELECT username, role, is_admin FROM accounts WHERE username LIKE 'rol\_%' OR username LIKE 'Rol\_%' ORDER BY 1;

--
-- usernames: unique in any letter case, any case accepted, the stored spelling shown
--
SELECT tm_account_create('{"username": "rol_alice", "password": "other password"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_create_admin('ROL_ALICE', 'other password');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_create_staff('ROL_DOOR', 'other password');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_login('{"username": "rOL_aLICE", "password": "alice password"}') ->> 'username' AS login_any_case;
SELECT tm_account(:'alice', 'ROL_ALICE') #>> '{account,username}' AS path_any_case;
SELECT tm_account(:'boss', 'rol_alice') #>> '{account,username}' AS admin_any_case;
SELECT tm_order_create(:'alice', 'rol_alice', jsonb_build_object('event_id', :gig, 'tickets_bought', 1))
       #>> '{order,username}' AS bought_as;
SELECT jsonb_array_length(tm_account_orders(:'alice', 'ROL_alice') -> 'orders') AS orders_any_case;
-- another user's name in another case is still another user's
SELECT tm_account_create('{"username": "rol_bob", "password": "bob password"}') IS NOT NULL AS bob;
SELECT tm_account(:'alice', 'ROL_BOB');
\echo :LAST_ERROR_SQLSTATE

--
-- closed accounts: no login, no token, no lookup; the name stays taken
--
SELECT tm_login('{"username": "rol_bob", "password": "bob password"}') ->> 'token' AS bob \gset
UPDATE accounts SET closed_at = now() WHERE username = 'rol_bob';
SELECT tm_login('{"username": "rol_bob", "password": "bob password"}');
SELECT tm_account(:'bob', 'rol_bob');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account(:'boss', 'rol_bob');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account_orders(:'boss', 'rol_bob');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_order_create(NULL, 'rol_bob', jsonb_build_object('event_id', :gig, 'tickets_bought', 1));
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account_create('{"username": "ROL_BOB", "password": "new bob password"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_create_admin('rol_bob', 'new bob password');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS listed FROM jsonb_array_elements(tm_accounts(NULL) -> 'accounts') a
WHERE a ->> 'username' = 'rol_bob';

--
-- new passwords: at least 8 characters, not the username
--
SELECT tm_account_create('{"username": "rol_weak", "password": "1234567"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account_create('{"username": "rol_weak", "password": " "}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account_create('{"username": "rol_weakling", "password": "ROL_WEAKLING"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_create_admin('rol_weak', 'short');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_create_staff('rol_weak', 'rol_weak');
\echo :LAST_ERROR_SQLSTATE
-- characters, not bytes; and exactly 8 will do
SELECT tm_account_create('{"username": "rol_weak", "password": "ééééééé"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account_create('{"username": "rol_weak", "password": "éééééééé"}') #>> '{account,username}' AS eight;
-- an old account's short password still logs in (imported and 1.0 accounts keep theirs)
INSERT INTO accounts (username, password_hash) VALUES ('rol_old', '$6$rolsaltrolsalt$hQbpAyJtT0eMiWkXSSsqYg7iYrpJyeBvYheqGSaVD8rqs4UDykZBKUMIhmyn3a3ijjxsmVkcR/ui2f9HsGpll/');
SELECT tm_login('{"username": "rol_old", "password": "x"}') ->> 'username' AS old_weak_password;

--
-- ticketmonster.initial_credit: what a new account starts with; the database owner's setting
--
SET ticketmonster.initial_credit = 50;
SELECT tm_account_create('{"username": "rol_rich", "password": "rich password"}') #>> '{account,available_money}' AS credit;
RESET ticketmonster.initial_credit;
SELECT tm_account_create('{"username": "rol_poor", "password": "poor password"}') #>> '{account,available_money}' AS default_credit;
CREATE ROLE regress_tm_roles_web;
GRANT ticketmonster_web TO regress_tm_roles_web;
SET ROLE regress_tm_roles_web;
SET ticketmonster.initial_credit = 1000000;
\echo :LAST_ERROR_SQLSTATE
SHOW ticketmonster.initial_credit;
\echo :LAST_ERROR_SQLSTATE
SELECT current_setting('ticketmonster.initial_credit');
\echo :LAST_ERROR_SQLSTATE
SET ticketmonster.signups_per_hour = 0;
\echo :LAST_ERROR_SQLSTATE
SHOW ticketmonster.signups_per_hour;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
DROP ROLE regress_tm_roles_web;

DELETE FROM tickets WHERE order_id IN (SELECT id FROM orders WHERE event_id = :gig);
DELETE FROM orders WHERE event_id = :gig;
DELETE FROM events WHERE id = :gig;
DELETE FROM accounts WHERE lower(username) LIKE 'rol\_%';
