SET ticketmonster.password_cost = 1;
SELECT FROM tm_signing_key_set('tm-regress-key-not-a-secret-0123456789abcdefghij');
-- Limits per client address (issue 10, items 2 and 7). The web process passes the client's
-- address as the last argument of tm_login and tm_account_create.
--   * 10 failed logins for one account from one address within 5 minutes make that address
--     wait (TM005); the owner, from another address, is never locked out by them;
--   * 50 failed logins from one address, across any names, make it wait for any account;
--   * ticketmonster.signups_per_hour new accounts per address per hour (0: no limit).
-- Convention: the line after a statement that fails echoes its SQLSTATE.
\set VERBOSITY default
\set SHOW_CONTEXT never

-- One login attempt as a line: "token", "NULL" (after a WARNING), or the error's SQLSTATE
-- and message, with the detail's seconds checked and masked.
CREATE FUNCTION pg_temp.attempt(username text, password text, addr text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    state text;
    message text;
    detail text;
BEGIN
    RETURN CASE WHEN tm_login(jsonb_build_object('username', username, 'password', password), addr) ? 'token'
                THEN 'token' ELSE 'NULL' END;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL;
    RETURN format('%s %s / %s%s', state, message, regexp_replace(detail, '\d+', 'N'),
                  CASE WHEN substring(detail FROM '\d+')::int BETWEEN 1 AND 3600 THEN ' (N in range)'
                       WHEN detail <> '' THEN ' (N out of range)' ELSE '' END);
END $$;
CREATE FUNCTION pg_temp.signup(username text, addr text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    state text;
    message text;
    detail text;
BEGIN
    RETURN tm_account_create(jsonb_build_object('username', username, 'password', 'signup password'), addr)
           #>> '{account,username}';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL;
    RETURN format('%s %s / %s%s', state, message, regexp_replace(detail, '\d+', 'N'),
                  CASE WHEN substring(detail FROM '\d+')::int BETWEEN 1 AND 3600 THEN ' (N in range)'
                       WHEN detail <> '' THEN ' (N out of range)' ELSE '' END);
END $$;

SELECT tm_create_admin('lim_owner', 'owner password') IS NOT NULL AS owner;

--
-- Failed logins per account and address: the attacker's address waits, the owner does not.
--
SELECT n, pg_temp.attempt('lim_owner', 'guess ' || n, '203.0.113.66') FROM generate_series(1, 10) AS n;
SELECT pg_temp.attempt('lim_owner', 'owner password', '203.0.113.66') AS attacker_with_right_password;
SELECT pg_temp.attempt('lim_owner', 'owner password', '198.51.100.7') AS owner_elsewhere;
SELECT pg_temp.attempt('lim_owner', 'owner password', NULL) AS console;
SELECT pg_temp.attempt('LIM_OWNER', 'guess', '203.0.113.66') AS any_case_is_the_same_account;
SELECT username, client_addr, failures FROM login_failures WHERE username = 'lim_owner' ORDER BY client_addr;
-- the owner's success from another address left the attacker's count alone
SELECT pg_temp.attempt('lim_owner', 'owner password', '203.0.113.66') AS attacker_still_waits;
-- and the window ends for the attacker as for anyone
UPDATE login_failures SET window_start = window_start - interval '5 minutes' WHERE client_addr = '203.0.113.66';
SELECT pg_temp.attempt('lim_owner', 'owner password', '203.0.113.66') AS after_the_window;

--
-- The ceiling per address across accounts: 50 failures on any names, unknown ones included
--
SELECT count(*) FILTER (WHERE a = 'NULL') AS failed
FROM (SELECT pg_temp.attempt('lim_nobody_' || n, 'guess', '203.0.113.77') FROM generate_series(1, 50) AS n) t(a);
SELECT client_addr, failures FROM address_failures WHERE client_addr = '203.0.113.77';
SELECT pg_temp.attempt('lim_owner', 'owner password', '203.0.113.77') AS any_account_from_there;
SELECT pg_temp.attempt('lim_nobody_1', 'guess', '203.0.113.77') AS unknown_names_too;
SELECT pg_temp.attempt('lim_owner', 'owner password', '198.51.100.7') AS other_addresses_unaffected;
-- the console without an address is not an address: it never reaches a ceiling
SELECT count(*) AS console_rows FROM address_failures WHERE client_addr = '';
-- addresses are short text; anything longer is refused before any work
SELECT tm_login('{"username": "lim_owner", "password": "owner password"}', repeat('1', 101));
\echo :LAST_ERROR_SQLSTATE

--
-- Sign-ups per address
--
SET ticketmonster.signups_per_hour = 3;
SELECT n, pg_temp.signup('lim_new' || n, '203.0.113.88') FROM generate_series(1, 4) AS n;
SELECT pg_temp.signup('lim_new5', '198.51.100.9') AS other_address;
-- a refused sign-up made no account, and a failed one does not count
SELECT count(*) AS made FROM accounts WHERE username LIKE 'lim\_new%';
SELECT pg_temp.signup('lim_new5', '198.51.100.9') AS taken;
SELECT pg_temp.signup('lim_new6', '198.51.100.9') AS second_of_three;
-- the console without an address is not limited
SELECT tm_account_create('{"username": "lim_console", "password": "console password"}') #>> '{account,username}' AS console;
-- an hour later the address may sign up again
UPDATE signups SET created_at = created_at - interval '1 hour' WHERE client_addr = '203.0.113.88';
SELECT pg_temp.signup('lim_new7', '203.0.113.88') AS an_hour_later;
SELECT count(*) AS rows_kept FROM signups WHERE client_addr = '203.0.113.88';
-- 0: no limit
SET ticketmonster.signups_per_hour = 0;
SELECT count(*) AS unlimited FROM generate_series(8, 12) n WHERE pg_temp.signup('lim_new' || n, '203.0.113.88') LIKE 'lim%';
RESET ticketmonster.signups_per_hour;

--
-- The web role: without an address it is throttled as the address '' (leaving the address out
-- escapes nothing), and it can neither read nor reset any count.
--
CREATE ROLE regress_tm_limits_web;
GRANT ticketmonster_web TO regress_tm_limits_web;
SET ROLE regress_tm_limits_web;
SELECT pg_temp.attempt('lim_owner', 'guess', NULL) AS web_without_address;
SELECT * FROM address_failures;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM signups;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT client_addr, failures FROM login_failures WHERE username = 'lim_owner' AND client_addr = '';
SELECT client_addr, failures FROM address_failures WHERE client_addr = '';
DROP ROLE regress_tm_limits_web;

DELETE FROM accounts WHERE username LIKE 'lim\_%';
DELETE FROM address_failures;
DELETE FROM signups;
