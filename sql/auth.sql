SET ticketmonster.password_cost = 1;
SET ticketmonster.secret_key = 'tm-regress-key-not-a-secret-0123456789abcdefghij';
-- Passwords, imported hashes and login tokens.
-- Convention: errors print their message, detail and hint; the line after a statement
-- that fails echoes its SQLSTATE (docs/errors.md maps it to the HTTP status).
-- A wrong password is no error but a WARNING (SQLSTATE 28P01) and NULL, so that the failure
-- is counted (login_throttle.sql).
-- Tokens vary per run, so they are kept in psql variables and never printed.
\set VERBOSITY default
\set SHOW_CONTEXT never

-- An HS256 signer in plain SQL (RFC 2104 over sha256()), independent of the extension,
-- to check its tokens are standard JWTs and to craft tokens it never issued.
CREATE FUNCTION pg_temp.b64url(bytea) RETURNS text LANGUAGE sql AS
$$ SELECT translate(rtrim(replace(encode($1, 'base64'), E'\n', ''), '='), '+/', '-_') $$;
CREATE FUNCTION pg_temp.b64url_decode(text) RETURNS bytea LANGUAGE sql AS
$$ SELECT decode(rpad(translate($1, '-_', '+/'), (length($1) + 3) / 4 * 4, '='), 'base64') $$;
CREATE FUNCTION pg_temp.xor_bytes(b bytea, x integer) RETURNS bytea LANGUAGE sql AS
$$ SELECT decode(string_agg(lpad(to_hex(get_byte(b, i) # x), 2, '0'), '' ORDER BY i), 'hex')
   FROM generate_series(0, length(b) - 1) AS i $$;
CREATE FUNCTION pg_temp.hs256(key text, message text) RETURNS bytea LANGUAGE sql AS
$$ SELECT sha256(pg_temp.xor_bytes(k, 92) || sha256(pg_temp.xor_bytes(k, 54) || convert_to(message, 'UTF8')))
   FROM (SELECT convert_to(key, 'UTF8') || decode(repeat('00', 64 - octet_length(key)), 'hex') AS k) AS padded $$;
CREATE FUNCTION pg_temp.jwt(header text, payload text, key text) RETURNS text LANGUAGE sql AS
$$ SELECT signed || '.' || pg_temp.b64url(pg_temp.hs256(key, signed))
   FROM (SELECT pg_temp.b64url(convert_to(header, 'UTF8')) || '.' ||
                pg_temp.b64url(convert_to(payload, 'UTF8')) AS signed) AS t $$;
CREATE FUNCTION pg_temp.claims(token text) RETURNS jsonb LANGUAGE sql AS
$$ SELECT convert_from(pg_temp.b64url_decode(split_part(token, '.', 2)), 'UTF8')::jsonb $$;
CREATE FUNCTION pg_temp.now_epoch() RETURNS bigint LANGUAGE sql AS
$$ SELECT extract(epoch FROM clock_timestamp())::bigint $$;
SELECT current_setting('ticketmonster.secret_key') AS key \gset
\set header '{"alg":"HS256","typ":"JWT"}'

--
-- Hashing: yescrypt, salted, with the cost of ticketmonster.password_cost.
--
SELECT tm_account_create('{"username": "auth_user", "password": "correct horse"}');
SELECT tm_account_create('{"username": "auth_twin", "password": "correct horse"}');
SELECT tm_create_admin('auth_admin', 'admin password');
SELECT username, password_hash ~ '^\$y\$j75\$[./0-9A-Za-z]+\$[./0-9A-Za-z]{43}$' AS yescrypt_cost_1
FROM accounts WHERE username LIKE 'auth\_%' ORDER BY username;
SELECT count(DISTINCT password_hash) AS distinct_hashes_of_one_password
FROM accounts WHERE username IN ('auth_user', 'auth_twin');
-- only the superuser sets the cost, so a web client cannot weaken the hashes it creates
CREATE ROLE regress_tm_auth_web;
GRANT ticketmonster_web TO regress_tm_auth_web;
SET ROLE regress_tm_auth_web;
SET ticketmonster.password_cost = 11;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

--
-- Imported hashes: the original app's passlib sha512_crypt and sha256_crypt, and bcrypt,
-- log in; weak schemes, malformed and empty hashes never do.
--
INSERT INTO accounts (username, password_hash) VALUES
    ('auth_sha512', '$6$rounds=656000$Zx8kQp3rT1uVw2yA$OhoUBuc8lLfbQCbxdbKBTLx0lp.QbV1DdQGkOhwLksnLmj6o4ikwYDQSk64o6KeHO.yb2Yt6RiDKWwW/In5et0'),
    ('auth_sha256', '$5$rounds=535000$Ab3dEf6hIj9kLm2n$NOpJxDZ5Udrx2frqLkM.QU8IxeZztkgEpBvBndn/3d8'),
    ('auth_bcrypt', '$2b$04$abcdefghijklmnopqrstuu7uPjCLZdJoCUaEebKS6ePJKP5hqnKjS'),
    ('auth_md5', '$1$saltsalt$JeV.0LNJ4ReZLYpEKu9ZA1'),
    ('auth_des', 'ab69vDYi.3F9Q'),
    ('auth_malformed', '$6$rounds=oops$'),
    ('auth_truncated', '$2b$04$abcdefghij'),
    ('auth_empty', '');
SELECT tm_login('{"username": "auth_sha512", "password": "imported-six"}') - 'token' AS login;
SELECT tm_login('{"username": "auth_sha256", "password": "imported-five"}') - 'token' AS login;
SELECT tm_login('{"username": "auth_bcrypt", "password": "imported-bcrypt"}') - 'token' AS login;
SELECT tm_login('{"username": "auth_sha512", "password": "imported-Six"}');
SELECT tm_login('{"username": "auth_sha256", "password": "imported-fiv"}');
SELECT tm_login('{"username": "auth_bcrypt", "password": "imported-bcrypt "}');
SELECT tm_login('{"username": "auth_md5", "password": "imported-md5"}');
SELECT tm_login('{"username": "auth_des", "password": "imported-des"}');
SELECT tm_login('{"username": "auth_malformed", "password": "x"}');
SELECT tm_login('{"username": "auth_truncated", "password": "x"}');
SELECT tm_login('{"username": "auth_empty", "password": "x"}');
-- a successful login replaced the imported hashes by yescrypt ones, which still verify
SELECT username, left(password_hash, 3) AS scheme
FROM accounts WHERE username IN ('auth_sha512', 'auth_sha256', 'auth_bcrypt', 'auth_md5')
ORDER BY username;
SELECT tm_login('{"username": "auth_sha512", "password": "imported-six"}') ->> 'username' AS login;
SELECT tm_login('{"username": "auth_sha512", "password": "wrong"}');

--
-- Tokens.
--
-- (the clock read around the login bounds its iat: no guess of how long a login takes)
SELECT pg_temp.now_epoch() AS before_login \gset
SELECT tm_login('{"username": "auth_user", "password": "correct horse"}') ->> 'token' AS tok \gset
SELECT pg_temp.now_epoch() AS after_login \gset
SELECT tm_login('{"username": "auth_admin", "password": "admin password"}') ->> 'token' AS admin_tok \gset
-- a JWT: the fixed header, the claims, and a signature the SQL signer agrees with
SELECT split_part(:'tok', '.', 1) = pg_temp.b64url(convert_to(:'header', 'UTF8')) AS fixed_header,
       :'tok' ~ '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$' AS unpadded_base64url,
       pg_temp.jwt(:'header', convert_from(pg_temp.b64url_decode(split_part(:'tok', '.', 2)), 'UTF8'), :'key') = :'tok' AS standard_hs256;
SELECT claims - 'iat' - 'exp' AS claims,
       (claims->>'exp')::bigint - (claims->>'iat')::bigint AS lifetime,
       (claims->>'iat')::bigint BETWEEN :before_login - 1 AND :after_login AS issued_now
FROM pg_temp.claims(:'tok') AS claims;
SELECT tm_account(:'tok', 'auth_user');
SELECT tm_account(:'admin_tok', 'auth_user');

-- a token crafted with the key is as good as an issued one
SELECT pg_temp.jwt(:'header', format('{"sub":"auth_user","exp":%s}', pg_temp.now_epoch() + 60), :'key') AS crafted \gset
SELECT tm_account(:'crafted', 'auth_user') IS NOT NULL AS crafted_accepted;

-- expired
SELECT pg_temp.jwt(:'header', format('{"sub":"auth_user","exp":%s}', pg_temp.now_epoch() - 1), :'key') AS expired \gset
SELECT tm_account(:'expired', 'auth_user');
\echo :LAST_ERROR_SQLSTATE
SET ticketmonster.token_ttl = 1;
SELECT tm_login('{"username": "auth_user", "password": "correct horse"}') ->> 'token' AS short_tok \gset
SELECT (claims->>'exp')::bigint - (claims->>'iat')::bigint AS lifetime FROM pg_temp.claims(:'short_tok') AS claims;
-- Accepted while time() < exp, however little of its second is left: a check that returned
-- before exp must have accepted the token. One that returned after exp (a slow machine)
-- proves nothing, so it is tried again with a token living twice as long (issue 17).
DO $$
DECLARE
    ttl int := 1;
    token text;
BEGIN
    LOOP
        PERFORM set_config('ticketmonster.token_ttl', ttl::text, true);
        token := tm_login('{"username": "auth_user", "password": "correct horse"}') ->> 'token';
        BEGIN
            PERFORM tm_account(token, 'auth_user');
            EXIT;
        EXCEPTION WHEN invalid_authorization_specification THEN
            IF extract(epoch FROM clock_timestamp()) < (pg_temp.claims(token) ->> 'exp')::bigint THEN
                RAISE;
            END IF;
        END;
        ttl := ttl * 2;
    END LOOP;
END
$$;
-- Refused once time() >= exp. The server's time() trails clock_timestamp() by up to a clock
-- tick, so the wait runs to a whole second after exp: derived from the token, not guessed.
SELECT pg_sleep_until(to_timestamp((pg_temp.claims(:'short_tok') ->> 'exp')::bigint + 1)) AS waited;
SELECT tm_account(:'short_tok', 'auth_user');
\echo :LAST_ERROR_SQLSTATE
RESET ticketmonster.token_ttl;

-- claims missing or of the wrong type, even under a good signature
SELECT tm_account(pg_temp.jwt(:'header', '{"sub":"auth_user"}', :'key'), 'auth_user');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account(pg_temp.jwt(:'header', format('{"sub":"auth_user","exp":"%s"}', pg_temp.now_epoch() + 60), :'key'), 'auth_user');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account(pg_temp.jwt(:'header', format('{"exp":%s}', pg_temp.now_epoch() + 60), :'key'), 'auth_user');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account(pg_temp.jwt(:'header', '["auth_user"]', :'key'), 'auth_user');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account(pg_temp.jwt(:'header', 'not json', :'key'), 'auth_user');
\echo :LAST_ERROR_SQLSTATE

-- tampered payload: auth_user makes itself auth_admin, keeping its signature
SELECT pg_temp.b64url(convert_to(format('{"sub":"auth_admin","iat":%s,"exp":%s}',
           claims->>'iat', claims->>'exp'), 'UTF8')) AS forged_payload
FROM pg_temp.claims(:'tok') AS claims \gset
SELECT tm_accounts(split_part(:'tok', '.', 1) || '.' || :'forged_payload' || '.' || split_part(:'tok', '.', 3));
\echo :LAST_ERROR_SQLSTATE

-- tampered signature: one character changed, and (strict base64url) only the unused
-- low bits of the last character changed, which a lenient decoder would accept
SELECT left(:'tok', length(:'tok') - 10) || translate(right(:'tok', 10), 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', 'BCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_A') AS bad_sig \gset
SELECT tm_account(:'bad_sig', 'auth_user');
\echo :LAST_ERROR_SQLSTATE
SELECT left(:'tok', length(:'tok') - 1) ||
       substr(alphabet, (strpos(alphabet, right(:'tok', 1)) - 1) # 1 + 1, 1) AS loose_sig
FROM (VALUES ('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_')) AS a(alphabet) \gset
SELECT pg_temp.b64url_decode(split_part(:'loose_sig', '.', 3)) = pg_temp.b64url_decode(split_part(:'tok', '.', 3)) AS same_bytes;
SELECT tm_account(:'loose_sig', 'auth_user');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account(:'tok' || '=', 'auth_user');
\echo :LAST_ERROR_SQLSTATE

-- the algorithm is the server's: "none" with no signature, HS512 with any signature, and
-- even an HS512 header under a good HS256 signature are refused
SELECT tm_account(pg_temp.b64url(convert_to('{"alg":"none","typ":"JWT"}', 'UTF8')) || '.' || split_part(:'tok', '.', 2) || '.', 'auth_user');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account(pg_temp.b64url(convert_to('{"alg":"HS512","typ":"JWT"}', 'UTF8')) || '.' || split_part(:'tok', '.', 2) || '.' ||
                  pg_temp.b64url(sha512(convert_to('anything', 'UTF8'))), 'auth_user');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account(pg_temp.jwt('{"alg":"HS512","typ":"JWT"}', format('{"sub":"auth_user","exp":%s}', pg_temp.now_epoch() + 60), :'key'), 'auth_user');
\echo :LAST_ERROR_SQLSTATE

-- signed with another key
SET ticketmonster.secret_key = 'another-regress-key-that-is-long-enough-0123456';
SELECT tm_login('{"username": "auth_user", "password": "correct horse"}') ->> 'token' AS other_tok \gset
SELECT tm_account(:'other_tok', 'auth_user') IS NOT NULL AS valid_under_its_key;
SET ticketmonster.secret_key = 'tm-regress-key-not-a-secret-0123456789abcdefghij';
SELECT tm_account(:'other_tok', 'auth_user');
\echo :LAST_ERROR_SQLSTATE

-- not tokens at all
SELECT tm_account('', 'auth_user');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account('not-a-token', 'auth_user');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account('a.b.c.d', 'auth_user');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account('..', 'auth_user');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account(:'tok' || repeat('A', 4096), 'auth_user');
\echo :LAST_ERROR_SQLSTATE

-- the account of a token is looked up on every call: deleted means locked out
SELECT tm_login('{"username": "auth_twin", "password": "correct horse"}') ->> 'token' AS twin_tok \gset
SELECT tm_account_delete(:'admin_tok', 'auth_twin');
SELECT tm_account(:'twin_tok', 'auth_twin');
\echo :LAST_ERROR_SQLSTATE

-- a missing or short key is a deployment error, and the message never shows the key
RESET ticketmonster.secret_key;
SELECT tm_login('{"username": "auth_user", "password": "correct horse"}');
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account(:'tok', 'auth_user');
\echo :LAST_ERROR_SQLSTATE
SET ticketmonster.secret_key = 'only-31-bytes-long-0123456789ab';
SELECT tm_login('{"username": "auth_user", "password": "correct horse"}');
\echo :LAST_ERROR_SQLSTATE
SET ticketmonster.secret_key = 'tm-regress-key-not-a-secret-0123456789abcdefghij';

--
-- The console: a NULL token, accepted from the extension owner's role only.
--
SELECT jsonb_path_query_array(tm_accounts(NULL), '$.accounts[*] ? (@.username starts with "auth_user").username') AS console_sees;
SET ROLE regress_tm_auth_web;
SELECT tm_accounts(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account(NULL, 'auth_user');
\echo :LAST_ERROR_SQLSTATE
-- the web role passes its key per session, but cannot read it back
SHOW ticketmonster.secret_key;
\echo :LAST_ERROR_SQLSTATE
SELECT tm_account(:'tok', 'auth_user');
RESET ROLE;

DELETE FROM accounts WHERE username LIKE 'auth\_%';
DROP ROLE regress_tm_auth_web;
