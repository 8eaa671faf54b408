SET ticketmonster.password_cost = 1;
SELECT FROM tm_signing_key_set('tm-regress-key-not-a-secret-0123456789abcdefghij');
-- Failed logins are throttled per account (issue 6): 10 wrong passwords within 5 minutes of
-- the first lock the account until those 5 minutes are over.
-- A wrong password must be counted, so it is not an ERROR (which would roll the count back)
-- but a WARNING carrying SQLSTATE 28P01 and a NULL result; the shim answers that as the
-- ERROR would have been answered, after the commit (docs/errors.md).
-- Convention: errors print their message, detail and hint; the line after a statement
-- that fails echoes its SQLSTATE.
\set VERBOSITY default
\set SHOW_CONTEXT never

-- One login attempt as a line: "token", "NULL" (the WARNING is printed above it), or the
-- error's SQLSTATE, message and detail, with the seconds of a lockout checked and masked.
CREATE FUNCTION pg_temp.attempt(username text, password text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    state text;
    message text;
    detail text;
BEGIN
    RETURN CASE WHEN tm_login(jsonb_build_object('username', username, 'password', password)) ? 'token'
                THEN 'token' ELSE 'NULL' END;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                            detail = PG_EXCEPTION_DETAIL;
    RETURN format('%s %s / %s%s', state, message, regexp_replace(detail, '\d+', 'N'),
                  CASE WHEN substring(detail FROM '\d+')::int BETWEEN 1 AND 300
                       THEN ' (N in 1..300)' WHEN detail <> '' THEN ' (N out of range)' ELSE '' END);
END
$$;

SELECT tm_account_create('{"username": "thr_user", "password": "right password"}') ->> 'account' AS account;
SELECT tm_account_create('{"username": "thr_other", "password": "other password"}') ->> 'account' AS account;

--
-- A wrong password: a WARNING with SQLSTATE 28P01 and NULL, and the failure is counted.
--
SELECT tm_login('{"username": "thr_user", "password": "wrong"}') AS login;
\set VERBOSITY sqlstate
SELECT tm_login('{"username": "thr_user", "password": "wrong"}') AS login;
\set VERBOSITY default
-- both failures committed: this later transaction sees them
SELECT username, failures, window_start <= now() AS window_started FROM login_failures;
SELECT window_start AS first_failure FROM login_failures WHERE username = 'thr_user' \gset
-- an unknown user is still not found (a WARNING with P0002 and NULL, after the same
-- password work), and nothing is counted for an account (there is no account row)
SELECT tm_login('{"username": "thr_nobody", "password": "wrong"}');
SELECT count(*) AS rows FROM login_failures WHERE username <> 'thr_user';
-- a malformed request is refused before any password is checked: not counted either
SELECT tm_login('{"username": "thr_user"}');
\echo :LAST_ERROR_SQLSTATE
SELECT failures FROM login_failures WHERE username = 'thr_user';

--
-- 10 failures lock the account until the window (from the first failure) ends.
--
SELECT n, pg_temp.attempt('thr_user', 'wrong ' || n) FROM generate_series(3, 10) AS n;
SELECT failures, window_start = :'first_failure' AS same_window FROM login_failures WHERE username = 'thr_user';
\set VERBOSITY terse
SELECT tm_login('{"username": "thr_user", "password": "wrong"}');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
-- the detail tells how long: the shim's Retry-After
SELECT pg_temp.attempt('thr_user', 'wrong');
-- the right password is refused too, without being checked, and nothing is counted: the
-- lockout neither grows nor moves
SELECT pg_temp.attempt('thr_user', 'right password');
SELECT failures, window_start = :'first_failure' AS same_window FROM login_failures WHERE username = 'thr_user';
-- another account is not affected
SELECT pg_temp.attempt('thr_other', 'other password');
SELECT pg_temp.attempt('thr_other', 'wrong');
SELECT username, failures FROM login_failures ORDER BY username;

--
-- The window ends (simulated by moving it back 5 minutes): allowed again.
--
UPDATE login_failures SET window_start = window_start - interval '5 minutes' WHERE username = 'thr_user';
SELECT pg_temp.attempt('thr_user', 'right password');
-- a success resets the count: the row is gone
SELECT count(*) AS rows FROM login_failures WHERE username = 'thr_user';
SELECT pg_temp.attempt('thr_other', 'other password');
SELECT count(*) AS rows FROM login_failures;

-- failures of a window that has passed do not add up with new ones: a new window starts
SELECT n, pg_temp.attempt('thr_user', 'wrong') FROM generate_series(1, 9) AS n;
UPDATE login_failures SET window_start = window_start - interval '5 minutes' WHERE username = 'thr_user';
SELECT pg_temp.attempt('thr_user', 'wrong');
SELECT failures, window_start > now() - interval '1 minute' AS new_window FROM login_failures WHERE username = 'thr_user';

--
-- The web role: its failures count the same, and it cannot read or reset them.
--
CREATE ROLE regress_tm_throttle_web;
GRANT ticketmonster_web TO regress_tm_throttle_web;
SET ROLE regress_tm_throttle_web;
SELECT tm_login('{"username": "thr_user", "password": "wrong"}') AS login;
SELECT * FROM login_failures;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM login_failures;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT failures FROM login_failures WHERE username = 'thr_user';

-- deleting an account deletes its failures
SELECT tm_account_delete(NULL, 'thr_user');
SELECT count(*) AS rows FROM login_failures;

DELETE FROM accounts WHERE username LIKE 'thr\_%';
DROP ROLE regress_tm_throttle_web;
