SET ticketmonster.password_cost = 1;
SELECT FROM tm_signing_key_set('tm-regress-key-not-a-secret-0123456789abcdefghij');
-- Sessions (issue 10, item 3): a token names its session, which a logout, a password change
-- or the end of the account ends; POST /token renews a token within TOKEN_MAX_AGE of the
-- password login; a token never works for a later account of the same name.
-- Convention: errors print their message, detail and hint; the line after a statement
-- that fails echoes its SQLSTATE. Tokens vary per run and are never printed.
\set VERBOSITY default
\set SHOW_CONTEXT never

CREATE FUNCTION pg_temp.claims(token text) RETURNS jsonb LANGUAGE sql AS
$$ SELECT convert_from(decode(rpad(translate(split_part(token, '.', 2), '-_', '+/'),
                                   (length(split_part(token, '.', 2)) + 3) / 4 * 4, '='), 'base64'), 'UTF8')::jsonb $$;
-- whether a token is accepted: 'ok' or its SQLSTATE
CREATE FUNCTION pg_temp.works(token text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM tm_account(token, pg_temp.claims(token) ->> 'sub');
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END $$;

SELECT tm_account_create('{"username": "ses_ann", "password": "ann password"}') IS NOT NULL AS ann;
SELECT tm_login('{"username": "ses_ann", "password": "ann password"}') ->> 'token' AS t1 \gset
SELECT tm_login('{"username": "ses_ann", "password": "ann password"}') ->> 'token' AS t2 \gset
SELECT tm_login('{"username": "ses_ann", "password": "ann password"}') ->> 'token' AS t3 \gset
-- each password login is a session of its own
SELECT count(DISTINCT s) AS sessions FROM (VALUES (pg_temp.claims(:'t1') ->> 'sid'), (pg_temp.claims(:'t2') ->> 'sid'),
                                                 (pg_temp.claims(:'t3') ->> 'sid')) v(s);
SELECT count(*) AS rows FROM sessions WHERE username = 'ses_ann';

--
-- POST /logout: that token's session only
--
SELECT tm_logout(:'t1');
SELECT pg_temp.works(:'t1') AS t1, pg_temp.works(:'t2') AS t2, pg_temp.works(:'t3') AS t3;
SELECT tm_logout(:'t1');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_logout(:'t2', '{"everywhere": "yes"}');
\echo :LAST_ERROR_SQLSTATE
-- {"everywhere": true}: all of the account's
SELECT tm_logout(:'t2', '{"everywhere": true}');
SELECT pg_temp.works(:'t2') AS t2, pg_temp.works(:'t3') AS t3;
SELECT count(*) AS rows FROM sessions WHERE username = 'ses_ann';
-- the console has no session
SELECT tm_logout(NULL);
\echo :LAST_ERROR_SQLSTATE

--
-- POST /token: a new token of the same session, with a fresh lifetime
--
SET ticketmonster.token_ttl = 600;
SET ticketmonster.token_max_age = 3600;
SELECT tm_login('{"username": "ses_ann", "password": "ann password"}') ->> 'token' AS t4 \gset
SELECT tm_token_renew(:'t4') ->> 'token' AS t5 \gset
SELECT jsonb_object_keys(tm_token_renew(:'t4')) AS key;
SELECT pg_temp.claims(:'t5') ->> 'sid' = pg_temp.claims(:'t4') ->> 'sid' AS same_session,
       pg_temp.works(:'t4') AS old_token, pg_temp.works(:'t5') AS new_token;
-- never beyond token_max_age after the login: here the session has 300 s left (less than the
-- token's 600, and far more than the next statement needs on any machine)
UPDATE sessions SET expires_at = now() + interval '300 seconds' WHERE id = (pg_temp.claims(:'t4') ->> 'sid')::bigint;
SELECT tm_token_renew(:'t5') ->> 'token' AS t6 \gset
SELECT (pg_temp.claims(:'t6') ->> 'exp')::bigint = floor(extract(epoch FROM expires_at))::bigint AS capped_by_session
FROM sessions WHERE id = (pg_temp.claims(:'t4') ->> 'sid')::bigint;
-- and once the session is over, neither its tokens nor a renewal work
UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = (pg_temp.claims(:'t4') ->> 'sid')::bigint;
SELECT tm_token_renew(:'t6');
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.works(:'t6') AS t6;
-- a new login starts a new session of token_max_age
SET ticketmonster.token_max_age = 60;
SELECT tm_login('{"username": "ses_ann", "password": "ann password"}') ->> 'token' AS t7 \gset
-- (its exp is the session's end, whatever time the login itself took)
SELECT (c ->> 'exp')::bigint - (c ->> 'iat')::bigint <= 60
       AND (c ->> 'exp')::bigint = floor(extract(epoch FROM s.expires_at))::bigint AS lifetime_within_max_age
FROM pg_temp.claims(:'t7') AS c JOIN sessions s ON s.id = (c ->> 'sid')::bigint;
SELECT expires_at - started_at AS session_length FROM sessions WHERE id = (pg_temp.claims(:'t7') ->> 'sid')::bigint;
-- a session that is over goes when its account logs in again
SELECT count(*) AS over_sessions_kept FROM sessions WHERE username = 'ses_ann' AND expires_at <= now();
RESET ticketmonster.token_max_age;
RESET ticketmonster.token_ttl;

--
-- PUT /account/<username>: the owner changes the password; older tokens are revoked
--
SELECT tm_login('{"username": "ses_ann", "password": "ann password"}') ->> 'token' AS a1 \gset
SELECT tm_login('{"username": "ses_ann", "password": "ann password"}') ->> 'token' AS a2 \gset
SELECT tm_account_create('{"username": "ses_bob", "password": "bob password"}') IS NOT NULL AS bob;
SELECT tm_login('{"username": "ses_bob", "password": "bob password"}') ->> 'token' AS bob \gset
SELECT tm_create_admin('ses_admin', 'admin password') IS NOT NULL AS admin;
SELECT tm_login('{"username": "ses_admin", "password": "admin password"}') ->> 'token' AS admin \gset
-- only the owner, not another user, an admin or the console
SELECT tm_account_password(:'bob', 'ses_ann', '{"password": "ann password", "new_password": "bob was here"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account_password(:'admin', 'ses_ann', '{"password": "ann password", "new_password": "admin was here"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account_password(NULL, 'ses_ann', '{"password": "ann password", "new_password": "console was here"}');
\echo :LAST_ERROR_SQLSTATE
-- the current password must be right (a WARNING and NULL: the failure counts like a login's)
SELECT tm_account_password(:'a1', 'ses_ann', '{"password": "not my password", "new_password": "new ann password"}');
SELECT failures FROM login_failures WHERE username = 'ses_ann';
-- the new one must be strong, and both are required
SELECT tm_account_password(:'a1', 'ses_ann', '{"password": "ann password", "new_password": "short"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account_password(:'a1', 'ses_ann', '{"password": "ann password"}');
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.works(:'a1') AS a1_after_refusals;
-- success, in any letter case of the name: every earlier token is revoked, a new one comes back
SELECT tm_account_password(:'a1', 'SES_Ann', '{"password": "ann password", "new_password": "new ann password"}') AS changed \gset
SELECT :'changed'::jsonb -> 'account' AS account, pg_temp.works(:'changed'::jsonb ->> 'token') AS new_token;
SELECT pg_temp.works(:'a1') AS a1, pg_temp.works(:'a2') AS a2, pg_temp.works(:'t7') AS t7, pg_temp.works(:'bob') AS bobs_token;
SELECT tm_login('{"username": "ses_ann", "password": "ann password"}') AS old_password;
SELECT tm_login('{"username": "ses_ann", "password": "new ann password"}') ->> 'username' AS new_password;
SELECT count(*) AS failure_rows FROM login_failures WHERE username = 'ses_ann' AND client_addr = '';

--
-- A token is bound to its account: after the account is gone, no later account of the same
-- name accepts it, not even one the console makes an admin (the audit's finding).
--
SELECT tm_account_create('{"username": "ses_gone", "password": "gone password"}') IS NOT NULL AS gone;
SELECT tm_login('{"username": "ses_gone", "password": "gone password"}') ->> 'token' AS gone_tok \gset
SELECT tm_account_delete(NULL, 'ses_gone') IS NOT NULL AS closed;
SELECT pg_temp.works(:'gone_tok') AS token_of_closed_account;
-- a closed account keeps its name
SELECT tm_create_admin('SES_GONE', 'new admin password');
\echo :LAST_ERROR_SQLSTATE
-- and should an operator remove the row itself, the name's next account is another instance
DELETE FROM accounts WHERE username = 'ses_gone';
SELECT tm_create_admin('SES_GONE', 'new admin password') #>> '{account,role}' AS same_name_again;
SELECT pg_temp.works(:'gone_tok') AS old_token;
SELECT tm_accounts(:'gone_tok');
\echo :LAST_ERROR_SQLSTATE

-- the web role can neither read nor forge sessions
CREATE ROLE regress_tm_sessions_web;
GRANT ticketmonster_web TO regress_tm_sessions_web;
SET ROLE regress_tm_sessions_web;
SELECT * FROM sessions;
\echo :LAST_ERROR_SQLSTATE
UPDATE sessions SET expires_at = 'infinity';
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
DROP ROLE regress_tm_sessions_web;

DELETE FROM accounts WHERE username LIKE 'ses\_%' OR username LIKE 'SES\_%';
