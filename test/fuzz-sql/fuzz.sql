-- SQL-level fuzz of the extension's input validation; test/fuzz-sql/run drives it.
-- psql variables: seconds (fuzzing time), seed (setseed argument, -1..1), key (the signing key).
-- Everything of the fuzzer lives in schema fz; the extension is in public.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION ticketmonster;
SET ticketmonster.password_cost = 1;
SELECT tm_signing_key_set(:'key') IS NOT NULL AS key_set \gset
-- A call that hangs fails the run (57014) instead of blocking it.
SELECT set_config('statement_timeout', ((:seconds + 120) * 1000)::text, false) IS NOT NULL AS timeout_set \gset
CREATE SCHEMA fz;

-- The functions under test and what their arguments are made of. needs: who may succeed
-- (any, admin, owner = the account itself or an admin, buyer = the account itself or the
-- console, console = a superuser's psql, door = door staff or an admin). weight: how often
-- it is called.
CREATE TABLE fz.functions (name text PRIMARY KEY, args text[] NOT NULL, needs text NOT NULL,
                           weight float8 NOT NULL);
INSERT INTO fz.functions VALUES
    ('tm_account_create',      '{body:account,client_addr}',           'any',     8),
    ('tm_login',               '{body:login,client_addr}',             'any',     8),
    ('tm_logout',              '{token}',                              'any',     1),
    ('tm_token_renew',         '{token}',                              'any',     3),
    ('tm_account_password',    '{token,username,body:login,client_addr}', 'owner', 2),
    ('tm_signing_key_set',     '{admin_password}',                     'console', 1),
    ('tm_account',             '{token,username}',                     'owner',   6),
    ('tm_account_delete',      '{token,username}',                     'admin',   2),
    ('tm_accounts',            '{token}',                              'admin',   3),
    ('tm_create_admin',        '{admin_username,admin_password}',      'console', 3),
    ('tm_create_staff',        '{admin_username,admin_password}',      'console', 2),
    ('tm_events',              '{when}',                               'any',     2),
    ('tm_event',               '{event_id}',                           'any',     4),
    ('tm_event_create',        '{token,body:event}',                   'admin',  10),
    ('tm_event_update',        '{token,event_id,body:event}',          'admin',   8),
    ('tm_event_delete',        '{token,event_id}',                     'admin',   2),
    ('tm_event_artists',       '{event_id}',                           'any',     3),
    ('tm_event_artist',        '{event_id,artist_id}',                 'any',     3),
    ('tm_event_artist_add',    '{token,event_id,body:link}',           'admin',   8),
    ('tm_event_artist_remove', '{token,event_id,artist_id}',           'admin',   4),
    ('tm_artists',             '{}',                                   'any',     1),
    ('tm_artist',              '{artist_id}',                          'any',     3),
    ('tm_artist_events',       '{artist_id}',                          'any',     3),
    ('tm_artist_create',       '{token,body:artist}',                  'admin',   8),
    ('tm_artist_update',       '{token,artist_id,body:artist}',        'admin',   6),
    ('tm_artist_delete',       '{token,artist_id}',                    'admin',   2),
    ('tm_order_create',        '{token,username,body:order,idem_key}', 'buyer',  25),
    -- through fz.batch_one: a purchase in a batch must be judged exactly as one alone
    ('tm_order_create_batch',  '{token,username,body:order,idem_key}', 'buyer',  10),
    ('tm_account_orders',      '{token,username}',                     'owner',   4),
    ('tm_orders',              '{token}',                              'admin',   2),
    ('tm_order_cancel',        '{token,username,order_id}',            'owner',   8),
    ('tm_checkin',             '{token,body:checkin}',                 'door',    8),
    ('tm_sales',               '{token,format}',                       'admin',   2),
    ('tm_sales_daily',         '{token,event_id}',                     'admin',   2),
    -- compat: clients of the original app
    ('tm_account_path_body',   '{username,body:account}',              'any',     3),
    ('tm_account_legacy',      '{username}',                           'any',     3),
    -- always a dry run (import_options), so that the invariants below keep their meaning
    ('tm_import',              '{body:import,import_options}',         'console', 3);

-- Every tm_* function of the extension must be in the table above (but trigger functions,
-- which nobody calls: tm_public_changed notifies the web processes' caches).
DO $$
DECLARE missing text;
BEGIN
    SELECT string_agg(p.proname, ', ') INTO missing
    FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
    JOIN pg_extension x ON x.oid = d.refobjid AND x.extname = 'ticketmonster'
    WHERE p.proname LIKE 'tm\_%' AND p.proname NOT IN (SELECT name FROM fz.functions)
      AND p.prorettype <> 'pg_catalog.trigger'::pg_catalog.regtype;
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'fuzz: no generators for %', missing;
    END IF;
END $$;

-- Fields of each kind of request body: the generator of their values, and how often they
-- are present at all.
CREATE TABLE fz.fields (body text, field text, gen text, p float8);
INSERT INTO fz.fields VALUES
    ('account', 'username', 'username', 0.97), ('account', 'password', 'password', 0.97),
    ('login', 'username', 'username', 0.97), ('login', 'password', 'password', 0.97),
    ('event', 'name', 'name', 0.97), ('event', 'place', 'place', 0.97),
    ('event', 'city', 'place', 0.97), ('event', 'date', 'date', 0.97),
    ('event', 'price', 'price', 0.97), ('event', 'total_available_tickets', 'stock', 0.97),
    ('event', 'capacity', 'stock', 0.3), ('event', 'time', 'time', 0.3),
    ('event', 'max_tickets_per_account', 'limit', 0.2), ('event', 'image_url', 'image', 0.2),
    ('event', 'version', 'version', 0.1),
    ('checkin', 'code', 'code', 0.95), ('checkin', 'event_id', 'event_ref', 0.3),
    ('event', 'available_tickets', 'stock', 0.1),
    ('artist', 'name', 'name', 0.97), ('artist', 'country', 'place', 0.97),
    ('artist', 'genre', 'genre', 0.97),
    ('link', 'id', 'artist_ref', 0.5), ('link', 'name', 'name', 0.5),
    ('link', 'country', 'place', 0.5), ('link', 'genre', 'genre', 0.5),
    ('order', 'event_id', 'event_ref', 0.85), ('order', 'id_event', 'event_ref', 0.15),
    ('order', 'tickets_bought', 'tickets', 0.95), ('order', 'orders', 'cart', 0.3),
    ('line', 'event_id', 'event_ref', 0.9), ('line', 'id_event', 'event_ref', 0.1),
    ('line', 'tickets_bought', 'tickets', 0.95),
    ('import', 'accounts', 'import_accounts', 0.95), ('import', 'artists', 'import_artists', 0.95),
    ('import', 'events', 'import_events', 0.95), ('import', 'event_artists', 'import_links', 0.95),
    ('import', 'orders', 'import_orders', 0.95);

-- Bookkeeping: what was put on sale and what each account started with (for the
-- invariants), real tokens, and the results.
CREATE TABLE fz.initial_stock (event_id int PRIMARY KEY, tickets int8 NOT NULL);
CREATE TABLE fz.initial_money (username text PRIMARY KEY, money int8 NOT NULL);
CREATE TABLE fz.tokens (username text PRIMARY KEY, is_admin bool, token text);
-- The password hashes of the core accounts as first created: a closed account cannot be
-- created again (its name stays taken), so replenish() reopens it with its hash.
CREATE TABLE fz.core_hashes (username text PRIMARY KEY, password_hash text NOT NULL, role text NOT NULL);
CREATE TABLE fz.calls (fn text, sqlstate text, n int, PRIMARY KEY (fn, sqlstate));
CREATE TABLE fz.messages (sqlstate text, message text, n int, example text,
                          PRIMARY KEY (sqlstate, message));
CREATE TABLE fz.failures (call int, fn text, what text, call_sql text);

--
-- Value pools
--
CREATE FUNCTION fz.pick(a anyarray) RETURNS anyelement LANGUAGE sql AS
    'SELECT a[1 + floor(random() * cardinality(a))::int]';

-- Random code points: mostly ASCII (controls included), some from the rest of Unicode.
CREATE FUNCTION fz.random_text(n int) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(string_agg(chr(CASE WHEN random() < 0.8 THEN 1 + floor(random() * 127)
                                        WHEN random() < 0.5 THEN 128 + floor(random() * 55000)
                                        ELSE 57344 + floor(random() * 1000000) END::int), ''), '')
    FROM generate_series(1, n)
$$;

CREATE FUNCTION fz.odd_strings() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY['', ' ', E'\t', E'\n', '  padded  ', E'\ttabs\n', 'x', 'a/b', 'a b', '../..',
        '%2F', '?q=1#f', 'null', '1', '+5', '0x10', '-0', 'İstanbul', 'straße', E'e\u0301',
        E'\u200b', E'\u00a0nbsp\u00a0', E'\u3000wide', E'\ufeffbom', E'\u202eevil',
        E'ctl\u0001\u001f\u007f', E'cr\r\nlf', '😀', repeat('😀', 30), repeat('😀', 31),
        repeat('é', 30), repeat('é', 31), repeat('x', 30), repeat('x', 31), repeat('y', 100),
        repeat('y', 101), repeat(' ', 200) || 'z', repeat('z', 100000),
        'Robert''); DROP TABLE accounts; --', '"', '\', '{}', '<b>x</b>', '𝔘𝔫𝔦']
$$;

CREATE FUNCTION fz.odd_ints() RETURNS jsonb[] LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY['0', '-1', '1', '2147483647', '2147483648', '-2147483648', '-2147483649',
        '9223372036854775808', '"5"', '" 5 "', '"+5"', '"-0"', '"0x10"', '"1.5"', '1.5', '1e2',
        '"1e2"', '1e400', '-1e400', '1e-400', '-0', '1.0', '"٣"', '"00000000000000000000000042"',
        '"99999999999999999999999999"', '"5 "', '"\u00a05"', '""', '" "', '"-"', '"+"', '"--1"',
        '"1 2"', '"\t7\n"', '"+-1"', '"2147483648"', '"-2147483648"', '"-2147483649"']::jsonb[]
$$;

CREATE FUNCTION fz.odd_dates() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY['0000-01-01', '0001-01-01', '9999-12-31', '2021-02-29', '2024-02-29', '2030-1-1',
        ' 2030-01-01 ', '2030-01-01T00:00', '2030-13-01', '2030-00-10', '2030-12-32',
        '2030-04-31', '+2030-01-01', '10000-01-01', '20300101', '２０３０-01-01', 'infinity',
        'epoch', 'today', E'2030-01-01\n', '1900-02-29', '2000-02-29', '2030/01/01', '30-01-01',
        '2030-01-1', '-030-01-01', '']
$$;

CREATE FUNCTION fz.odd_genres() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY['hip  hop', 'HIPHOP', 'HIP-HOP', ' rock ', E'rock\n', 'ıNDIE', 'İNDIE', 'ROCK&ROLL',
        'POP ', 'pOp', 'Electronic', 'heavy metal', 'OTHERS', 'j-pop', E'R\u00d6CK', '', ' ']
$$;

CREATE FUNCTION fz.odd_passwords() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY['', ' ', ' pw', 'pw ', 'PW', repeat('p', 256), repeat('p', 257), repeat('é', 128),
        repeat('é', 129), E'pw\u0001', '😀']
$$;

CREATE FUNCTION fz.odd_usernames() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT fz.odd_strings() || ARRAY[' fz_user1', 'fz_user1 ', 'FZ_USER1', 'fz user1', 'fz/user1',
        'fz_user1/orders', 'ghost', repeat('u', 30), repeat('u', 31), 'a@b.c', '+', '.', '..']
$$;

CREATE FUNCTION fz.odd_carts() RETURNS jsonb[] LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY['[null]', '[1]', '["x"]', '[[]]', '[[{"event_id": 1, "tickets_bought": 1}]]', '{}',
        '{"event_id": 1}', '"[]"', '[{}]', '[{"orders": [{"event_id": 1, "tickets_bought": 1}]}]',
        '[{"event_id": [1], "tickets_bought": 1}]', '[{"event_id": {"id": 1}}]', 'true']::jsonb[]
$$;

-- Values of the wrong JSON type (or no field at all, as a JSON null).
CREATE FUNCTION fz.junk() RETURNS jsonb[] LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY['null', 'true', 'false', '0', '-0', '1', '-1', '1.5', '1e400', '[]', '{}', '[1, 2]',
        '["x"]', '{"a": 1}', '[[[[[]]]]]', '[null]', '""', '" "', '"x"',
        '{"orders": [{"event_id": 1, "tickets_bought": 1}]}']::jsonb[]
$$;

CREATE FUNCTION fz.some_event() RETURNS int LANGUAGE sql AS   -- deleted ones too
    'SELECT event_id FROM fz.initial_stock ORDER BY random() LIMIT 1';
CREATE FUNCTION fz.some_artist() RETURNS int LANGUAGE sql AS
    'SELECT coalesce((SELECT id FROM artists ORDER BY random() LIMIT 1), 1)';
CREATE FUNCTION fz.some_account() RETURNS text LANGUAGE sql AS   -- deleted ones too
    'SELECT username FROM fz.initial_money ORDER BY random() LIMIT 1';

-- Rows of the original app for tm_import: a few, each column a value of its generator.
CREATE FUNCTION fz.import_rows(cols text[], gens text[]) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN
    RETURN (SELECT coalesce(jsonb_agg(r), '[]') FROM (
        SELECT (SELECT jsonb_object_agg(c, coalesce(fz.value(g), 'null')) FROM unnest(cols, gens) u(c, g)) r
        FROM generate_series(1, floor(random() * 4)::int)) x);
END $$;

-- A well-formed value of a kind (that may still fail: taken names, missing events, ...).
CREATE FUNCTION fz.good(gen text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE id int;
BEGIN
    CASE gen
    WHEN 'username' THEN
        RETURN to_jsonb(CASE WHEN random() < 0.5 THEN fz.some_account()
                             ELSE 'fz' || floor(random() * 100000) END);
    WHEN 'password' THEN
        RETURN to_jsonb(CASE WHEN random() < 0.8 THEN 'fuzz-password' ELSE 'fuzz-password' || floor(random() * 3) END);
    WHEN 'name' THEN
        RETURN to_jsonb('Name ' || floor(random() * 60));
    WHEN 'place' THEN
        RETURN to_jsonb(fz.pick(ARRAY['Razzmatazz', 'Apolo', 'Sala B', 'Barcelona', 'Girona']));
    WHEN 'date' THEN
        RETURN to_jsonb(to_char(date '2025-01-01' + floor(random() * 3000)::int, 'YYYY-MM-DD'));
    WHEN 'genre' THEN
        RETURN to_jsonb((SELECT CASE floor(random() * 3) WHEN 0 THEN g WHEN 1 THEN lower(g)
                                     ELSE initcap(g) END
                         FROM fz.pick(ARRAY['REGGAE', 'POP', 'TRAP', 'HIP HOP', 'ROCK', 'INDIE',
                                            'HEAVY', 'ELECTRONIC', 'OTHER']) g));
    WHEN 'price' THEN
        RETURN to_jsonb(CASE WHEN random() < 0.05 THEN 2147483647 ELSE floor(random() * 60)::int END);
    WHEN 'stock' THEN
        RETURN to_jsonb(CASE WHEN random() < 0.05 THEN 2147483647 ELSE floor(random() * 100)::int END);
    WHEN 'tickets' THEN
        RETURN to_jsonb(CASE WHEN random() < 0.05 THEN 2147483647 ELSE 1 + floor(random() * 3)::int END);
    WHEN 'event_ref', 'artist_ref' THEN
        id := CASE gen WHEN 'event_ref' THEN fz.some_event() ELSE fz.some_artist() END;
        RETURN CASE WHEN random() < 0.85 THEN to_jsonb(id)
                    ELSE to_jsonb(fz.pick(ARRAY['', ' ', '+']) || id || fz.pick(ARRAY['', E'\t'])) END;
    WHEN 'cart' THEN
        RETURN fz.cart();
    WHEN 'time' THEN
        RETURN to_jsonb(fz.pick(ARRAY['20:30', '00:00', '23:59', '9:30', '24:00', '12:60', '12:3',
                                      '12-30', ' 12:30', '12:30:00']));
    WHEN 'limit' THEN
        RETURN to_jsonb(1 + floor(random() * 5)::int);
    WHEN 'image' THEN
        RETURN to_jsonb(fz.pick(ARRAY['/static/a.png', '/static/img/b.jpg', '/static/../x',
            '/static//x', '/static/', 'https://example.org/x.png', '//evil/x', '/static/.hidden',
            '/static/a b.png', '/static/' || repeat('a', 192), '/static/' || repeat('a', 191)]));
    WHEN 'version' THEN
        RETURN to_jsonb(1 + floor(random() * 20)::int);
    WHEN 'code' THEN
        RETURN to_jsonb(CASE WHEN random() < 0.7
            THEN coalesce((SELECT code FROM tickets ORDER BY random() LIMIT 1), 'none')
            ELSE fz.pick(ARRAY['', 'x', repeat('A', 22), repeat('A', 64), repeat('A', 65)]) END);
    WHEN 'hash' THEN
        RETURN to_jsonb(fz.pick(ARRAY['$6$rounds=1000$saltsalt$' || repeat('x', 86), '$5$salt$hash',
                                      '$1$md5$hash', 'plain-text']));
    WHEN 'flag' THEN
        RETURN to_jsonb(floor(random() * 2)::int);
    WHEN 'import_accounts' THEN
        RETURN fz.import_rows('{username,password,is_admin,available_money}', '{username,hash,flag,price}');
    WHEN 'import_artists' THEN
        RETURN fz.import_rows('{id,name,country,genre}', '{artist_ref,name,place,genre}');
    WHEN 'import_events' THEN
        RETURN fz.import_rows('{id,name,place,city,date,price,total_available_tickets}',
                              '{event_ref,name,place,place,date,price,stock}');
    WHEN 'import_links' THEN
        RETURN fz.import_rows('{event_id,artist_id}', '{event_ref,artist_ref}');
    WHEN 'import_orders' THEN
        RETURN fz.import_rows('{id,username,id_event,tickets_bought}', '{event_ref,username,event_ref,tickets}');
    END CASE;
END $$;

-- A value of a field: mostly well-formed, else missing, null, of the wrong type or a
-- boundary value of its kind. NULL means "leave the field out".
CREATE FUNCTION fz.value(gen text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE r float8 := random();
BEGIN
    IF r < 0.04 THEN RETURN NULL;
    ELSIF r < 0.07 THEN RETURN 'null';
    ELSIF r < 0.14 THEN RETURN fz.pick(fz.junk());
    ELSIF r < 0.30 THEN
        RETURN CASE
            WHEN gen IN ('price', 'stock', 'tickets', 'event_ref', 'artist_ref')
                THEN fz.pick(fz.odd_ints())
            WHEN gen = 'date' THEN to_jsonb(fz.pick(fz.odd_dates()))
            WHEN gen = 'genre' THEN to_jsonb(fz.pick(fz.odd_genres()))
            WHEN gen = 'password' THEN to_jsonb(fz.pick(fz.odd_passwords()))
            WHEN gen = 'username' THEN to_jsonb(fz.pick(fz.odd_usernames()))
            WHEN gen = 'cart' THEN fz.pick(fz.odd_carts())
            ELSE to_jsonb(fz.pick(fz.odd_strings())) END;
    END IF;
    RETURN fz.good(gen);
END $$;

-- A request body of a kind: often all well-formed, else with odd fields; now and then not
-- an object, or with an extra field.
CREATE FUNCTION fz.body(kind text, event_id int DEFAULT NULL) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    r float8 := random();
    clean bool := random() < 0.4;
    body jsonb := '{}';
    f record;
    v jsonb;
BEGIN
    IF r < 0.02 THEN RETURN NULL;
    ELSIF r < 0.05 THEN RETURN fz.pick(fz.junk());
    END IF;
    FOR f IN SELECT * FROM fz.fields WHERE fields.body = kind ORDER BY field LOOP
        CONTINUE WHEN random() >= f.p;
        v := CASE WHEN f.gen = 'event_ref' AND event_id IS NOT NULL THEN to_jsonb(event_id)
                  WHEN clean THEN fz.good(f.gen) ELSE fz.value(f.gen) END;
        IF v IS NOT NULL THEN
            body := body || jsonb_build_object(f.field, v);
        END IF;
    END LOOP;
    IF random() < 0.05 THEN
        body := body || jsonb_build_object(fz.pick(ARRAY['extra', '', 'id', 'is_admin',
                                                         'available_money', 'username']),
                                           fz.pick(fz.junk()));
    END IF;
    RETURN body;
END $$;

-- A cart whose total is 2^64 + 1: 4 x 2147483647 + 8 tickets at 2147483647, 1 at 5.
CREATE FUNCTION fz.wrap_cart() RETURNS jsonb LANGUAGE sql AS $$
    SELECT CASE WHEN count(*) = 5 AND (SELECT count(*) FROM events WHERE price = 5) > 0 THEN
        jsonb_agg(jsonb_build_object('event_id', id, 'tickets_bought',
                                     CASE WHEN n < 5 THEN 2147483647 ELSE 8 END))
        || jsonb_build_array(jsonb_build_object('event_id',
                (SELECT min(id) FROM events WHERE price = 5), 'tickets_bought', 1)) END
    FROM (SELECT id, row_number() OVER (ORDER BY id) n FROM events
          WHERE price = 2147483647 ORDER BY id LIMIT 5) e
$$;

-- The lines of a cart: usually a few, sometimes none, 100 or 101, a duplicate, a junk line.
CREATE FUNCTION fz.cart() RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    r float8 := random();
    n int := CASE WHEN r < 0.03 THEN 100 WHEN r < 0.06 THEN 101 WHEN r < 0.08 THEN 0
                  ELSE 1 + floor(random() * 4)::int END;
    lines jsonb;
BEGIN
    IF r > 0.94 THEN
        lines := fz.wrap_cart();
        IF lines IS NOT NULL THEN RETURN lines; END IF;
    END IF;
    SELECT coalesce(jsonb_agg(fz.body('line', CASE WHEN n >= 100 THEN g END)), '[]')
    INTO lines FROM generate_series(1, n) g;
    IF n > 0 AND random() < 0.15 THEN
        lines := lines || jsonb_build_array(lines -> 0);
    END IF;
    IF random() < 0.1 THEN
        lines := lines || jsonb_build_array(fz.pick(fz.junk()));
    END IF;
    RETURN lines;
END $$;

CREATE FUNCTION fz.idem_key() RETURNS text LANGUAGE sql AS $$
    SELECT CASE WHEN r < 0.5 THEN NULL
                WHEN r < 0.8 THEN 'k' || floor(random() * 5)
                ELSE fz.pick(ARRAY['', ' ', repeat('k', 255), repeat('k', 256), repeat('é', 255),
                                   repeat('é', 256), repeat('😀', 255), E'k\tk', 'ключ',
                                   fz.random_text(40)]) END
    FROM random() r
$$;

-- tm_order_create_batch with the purchase, and as often as not copies of it: the first row's
-- response, or its error raised as tm_order_create would raise it.
CREATE FUNCTION fz.batch_one(token text, username text, body jsonb, idem_key text) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    n int := 1 + floor(random() * 3)::int;
    r record;
BEGIN
    SELECT * INTO r FROM tm_order_create_batch(array_fill(token, ARRAY[n]), array_fill(username, ARRAY[n]),
        array_fill(body::text, ARRAY[n]), array_fill(idem_key, ARRAY[n])) LIMIT 1;
    IF r.sqlstate IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = r.sqlstate, MESSAGE = r.message,
            DETAIL = coalesce(r.detail, ''), HINT = coalesce(r.hint, '');
    END IF;
    RETURN r.response;
END $$;
GRANT USAGE ON SCHEMA fz TO ticketmonster_web;

--
-- Tokens: real ones, mutated ones, random bytes, and ones forged with the key.
--
CREATE FUNCTION fz.b64url(b bytea) RETURNS text LANGUAGE sql IMMUTABLE AS
    $$SELECT translate(encode(b, 'base64'), E'+/=\n', '-_')$$;

-- HMAC-SHA256 (RFC 2104) with the built-in sha256(); keys up to the 64-byte block.
CREATE FUNCTION fz.hmac(msg bytea, key bytea) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
    WITH pads AS (
        SELECT decode(string_agg(lpad(to_hex(k # 54), 2, '0'), '' ORDER BY i), 'hex') AS ipad,
               decode(string_agg(lpad(to_hex(k # 92), 2, '0'), '' ORDER BY i), 'hex') AS opad
        FROM (SELECT i, CASE WHEN i < length(key) THEN get_byte(key, i) ELSE 0 END AS k
              FROM generate_series(0, 63) i) b)
    SELECT sha256(opad || sha256(ipad || msg)) FROM pads
$$;

CREATE FUNCTION fz.forge(header bytea, payload bytea, key text) RETURNS text LANGUAGE sql AS $$
    SELECT s || '.' || fz.b64url(fz.hmac(convert_to(s, 'UTF8'), convert_to(key, 'UTF8')))
    FROM (SELECT fz.b64url(header) || '.' || fz.b64url(payload) AS s) t
$$;

-- A token and who it should authenticate: console, none, user:<name>, admin:<name>.
CREATE FUNCTION fz.token(key text, needs text, OUT token text, OUT who text) LANGUAGE plpgsql AS $$
DECLARE
    r float8 := random();
    real fz.tokens;
    kid text := (SELECT s.kid FROM signing_keys s WHERE s.retired_at IS NULL);
    hdr text := format('{"alg":"HS256","typ":"JWT","kid":"%s"}', kid);
    sub text := fz.some_account();
    -- a session of that account when there is one (tokens are valid only with theirs)
    sid text := coalesce((SELECT id::text FROM sessions WHERE username = sub ORDER BY random() LIMIT 1), '0');
    claimed text;
    exp bigint := extract(epoch FROM now())::bigint + 3600;
    payload bytea;
    k int;
    pos int;
    want_admin bool;
BEGIN
    who := 'none';
    SELECT * INTO real FROM fz.tokens ORDER BY random() LIMIT 1;
    IF r < 0.2 THEN
        who := 'console';
    ELSIF r < 0.7 THEN   -- mostly of who may succeed
        want_admin := (needs IN ('admin', 'door')) = (random() < 0.75);
        SELECT * INTO real FROM fz.tokens ORDER BY is_admin = want_admin DESC, random() LIMIT 1;
        token := real.token;
        who := CASE WHEN real.is_admin THEN 'admin:' ELSE 'user:' END || real.username;
    ELSIF r < 0.72 THEN
        token := '';
    ELSIF r < 0.77 THEN
        token := fz.random_text(fz.pick(ARRAY[1, 10, 100, 4096, 4097, 10000]));
    ELSIF r < 0.80 THEN
        token := fz.pick(ARRAY['.', '..', '...', 'a.b', 'a.b.c', 'a.b.c.d', 'eyJ.eyJ.', 'Bearer x',
                               real.token || '.' || real.token]);
    ELSIF r < 0.87 THEN
        pos := 1 + floor(random() * length(real.token))::int;
        k := floor(random() * 4)::int;
        token := CASE k
            WHEN 0 THEN overlay(real.token PLACING CASE WHEN substr(real.token, pos, 1) = 'A'
                                                        THEN 'B' ELSE 'A' END FROM pos FOR 1)
            WHEN 1 THEN left(real.token, pos - 1)
            WHEN 2 THEN real.token || fz.pick(ARRAY['.', 'x', '=', ' ', '.x'])
            ELSE split_part(real.token, '.', 2) || '.' || split_part(real.token, '.', 1) || '.'
                 || split_part(real.token, '.', 3) END;
    ELSE
        k := floor(random() * 22)::int;
        IF k = 15 THEN hdr := format('{"alg":"none","alg":"HS256","kid":"%s"}', kid);
        ELSIF k = 16 THEN hdr := '{"alg":"none"}';
        ELSIF k = 17 THEN hdr := '{"alg":"hs256"}';
        ELSIF k = 18 THEN hdr := '';
        ELSIF k = 19 THEN hdr := '[]';
        END IF;
        payload := CASE k
            WHEN 1 THEN convert_to(format('{"sid":' || sid || ',"iat":' || (exp - 3600) || ',"sub":%s,"exp":1e400}', to_jsonb(sub)), 'UTF8')
            WHEN 2 THEN convert_to(format('{"sid":' || sid || ',"iat":' || (exp - 3600) || ',"sub":%s,"exp":%s.5}', to_jsonb(sub), exp), 'UTF8')
            WHEN 3 THEN convert_to(format('{"sid":' || sid || ',"iat":' || (exp - 3600) || ',"sub":%s,"exp":%s}', to_jsonb(sub), exp - 7200), 'UTF8')
            WHEN 4 THEN convert_to(format('{"sid":' || sid || ',"iat":' || (exp - 3600) || ',"sub":%s,"exp":"%s"}', to_jsonb(sub), exp), 'UTF8')
            WHEN 5 THEN convert_to(format('{"sid":' || sid || ',"iat":' || (exp - 3600) || ',"sub":%s}', to_jsonb(sub)), 'UTF8')
            WHEN 6 THEN convert_to(format('{"sid":' || sid || ',"iat":' || (exp - 3600) || ',"exp":%s}', exp), 'UTF8')
            WHEN 7 THEN convert_to(format('{"sid":' || sid || ',"iat":' || (exp - 3600) || ',"sub":"","exp":%s}', exp), 'UTF8')
            WHEN 8 THEN convert_to(format('{"sid":' || sid || ',"iat":' || (exp - 3600) || ',"sub":5,"exp":%s}', exp), 'UTF8')
            WHEN 9 THEN convert_to(format('{"sid":' || sid || ',"iat":' || (exp - 3600) || ',"sub":%s,"exp":%s}', to_jsonb(upper(sub)), exp), 'UTF8')
            WHEN 10 THEN convert_to(format('{"sid":' || sid || ',"iat":' || (exp - 3600) || ',"sub":%s,"exp":%s,"sub":"ghost"}', to_jsonb(sub), exp), 'UTF8')
            WHEN 11 THEN convert_to('[]', 'UTF8')
            WHEN 12 THEN convert_to('not json', 'UTF8')
            WHEN 13 THEN convert_to(format('{"sid":' || sid || ',"iat":' || (exp - 3600) || ',"sub":"a\u0000b","exp":%s}', exp), 'UTF8')
            WHEN 14 THEN '\xfffe7b7d'::bytea
            WHEN 20 THEN convert_to('{"sub":"x', 'UTF8') || '\x00'::bytea
                         || convert_to(format('","exp":%s}', exp), 'UTF8')
            WHEN 21 THEN convert_to(format('{"sid":' || sid || ',"iat":' || (exp - 3600) || ',"sub":%s,"exp":-0}', to_jsonb(sub)), 'UTF8')
            ELSE convert_to(format('{"sid":' || sid || ',"iat":' || (exp - 3600) || ',"sub":%s,"exp":%s}', to_jsonb(sub), exp), 'UTF8') END;
        token := fz.forge(convert_to(hdr, 'UTF8'), payload,
                          CASE WHEN random() < 0.1 THEN key || 'x' ELSE key END);
        -- Authentic: signed with the key, an HS256 header, a live expiry, a string sub.
        -- (the last of duplicate keys counts; the session must be the named account's)
        IF token = fz.forge(convert_to(hdr, 'UTF8'), payload, key)
           AND k IN (0, 2, 9, 10, 15) THEN
            claimed := CASE k WHEN 9 THEN upper(sub) WHEN 10 THEN 'ghost' ELSE sub END;
            SELECT CASE WHEN a.is_admin THEN 'admin:' ELSE 'user:' END || a.username INTO who
            FROM sessions s JOIN accounts a USING (username)
            WHERE s.id = sid::bigint AND a.username = claimed AND a.closed_at IS NULL;
            who := coalesce(who, 'none');
        END IF;
    END IF;
END $$;

--
-- The invariants of "Rules for buying", over what fz.initial_* recorded.
--
CREATE FUNCTION fz.violations() RETURNS SETOF text LANGUAGE sql AS $$
    SELECT format('event %s: %s sold + %s left <> %s put on sale', e.id, coalesce(s.sold, 0),
                  e.tickets_left, i.tickets)
    FROM events e JOIN fz.initial_stock i ON i.event_id = e.id
    LEFT JOIN (SELECT event_id, sum(tickets_bought) sold FROM orders WHERE status = 'confirmed'
               GROUP BY 1) s ON s.event_id = e.id
    WHERE e.deleted_at IS NULL AND coalesce(s.sold, 0) + e.tickets_left <> i.tickets
    UNION ALL
    SELECT format('event %s was not created through the API', id) FROM events
    WHERE id NOT IN (SELECT event_id FROM fz.initial_stock)
    UNION ALL
    SELECT format('account %s: spent %s, its orders cost %s', a.username,
                  m.money - a.available_money, coalesce(s.cost, 0))
    FROM accounts a JOIN fz.initial_money m USING (username)
    LEFT JOIN (SELECT username, sum(tickets_bought::numeric * price) cost FROM orders
               WHERE status = 'confirmed' GROUP BY 1) s USING (username)
    WHERE m.money - a.available_money <> coalesce(s.cost, 0)
    UNION ALL
    SELECT format('account %s was not created through the API', username) FROM accounts
    WHERE username NOT IN (SELECT username FROM fz.initial_money)
    UNION ALL
    SELECT format('event %s: negative price or stock', id) FROM events WHERE price < 0 OR tickets_left < 0
    UNION ALL
    SELECT format('account %s: negative money', username) FROM accounts WHERE available_money < 0
    UNION ALL
    SELECT format('order %s: %s tickets at %s', id, tickets_bought, price) FROM orders
    WHERE tickets_bought < 1 OR price < 0
    UNION ALL
    SELECT format('order %s: event %s does not exist', id, event_id) FROM orders o
    WHERE NOT EXISTS (SELECT FROM events e WHERE e.id = o.event_id)
    UNION ALL
    SELECT format('order %s: account %s does not exist', id, username) FROM orders o
    WHERE NOT EXISTS (SELECT FROM accounts a WHERE a.username = o.username)
    UNION ALL
    SELECT format('order %s: bought by admin %s', o.id, o.username) FROM orders o
    JOIN accounts a USING (username) WHERE a.is_admin
    UNION ALL
    SELECT format('order %s: %s tickets bought, %s issued', o.id, o.tickets_bought,
                  (SELECT count(*) FROM tickets t WHERE t.order_id = o.id)) FROM orders o
    WHERE o.tickets_bought <> (SELECT count(*) FROM tickets t WHERE t.order_id = o.id)
    UNION ALL
    SELECT format('ticket %s checked in, its order %s is %s', t.code, o.id, o.status)
    FROM tickets t JOIN orders o ON o.id = t.order_id
    WHERE t.checked_in_at IS NOT NULL AND o.status = 'cancelled'
    UNION ALL
    SELECT format('event %s counts %s sold, its confirmed orders %s', e.id, e.tickets_sold, coalesce(s.sold, 0))
    FROM events e LEFT JOIN (SELECT event_id, sum(tickets_bought) sold FROM orders
                             WHERE status = 'confirmed' GROUP BY 1) s ON s.event_id = e.id
    WHERE e.tickets_sold <> coalesce(s.sold, 0)
$$;

-- Record what a successful call created or reset.
CREATE FUNCTION fz.track(fn text, result jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF fn IN ('tm_event_create', 'tm_event_update') THEN
        INSERT INTO fz.initial_stock
        SELECT (result #>> '{event,id}')::int, (result #>> '{event,total_available_tickets}')::int
               + (SELECT coalesce(sum(tickets_bought), 0) FROM orders
                  WHERE event_id = (result #>> '{event,id}')::int AND status = 'confirmed')
        ON CONFLICT (event_id) DO UPDATE SET tickets = excluded.tickets;
    ELSIF fn IN ('tm_account_create', 'tm_create_admin', 'tm_create_staff') THEN
        INSERT INTO fz.initial_money
        VALUES (result #>> '{account,username}', (result #>> '{account,available_money}')::int)
        ON CONFLICT (username) DO UPDATE SET money = excluded.money;
    END IF;
END $$;

-- Whether tm_login counted a failure for the account (only the versions that count do).
CREATE FUNCTION fz.login_failed(username text) RETURNS bool LANGUAGE plpgsql AS $$
DECLARE found bool;
BEGIN
    EXECUTE 'SELECT EXISTS (SELECT FROM login_failures WHERE username = $1)' INTO found USING username;
    RETURN found;
EXCEPTION WHEN undefined_table THEN
    RETURN false;
END $$;

-- Keep the core accounts (password pw) and a few events alive, with fresh tokens. Fuzzing
-- may have deleted a core account, or re-created it with another password or role.
CREATE FUNCTION fz.replenish() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    u record;
    token text;
BEGIN
    DELETE FROM fz.tokens;
    IF to_regclass('login_failures') IS NOT NULL THEN   -- no lockouts of the core accounts
        EXECUTE 'DELETE FROM login_failures WHERE username LIKE ''fz\_user_'' OR username = ''fz_admin''';
    END IF;
    FOR u IN SELECT * FROM (VALUES ('fz_user1', false), ('fz_user2', false), ('fz_user3', false),
                                   ('fz_admin', true)) v(name, admin) LOOP
        IF EXISTS (SELECT FROM accounts WHERE username = u.name AND closed_at IS NULL) THEN
            token := tm_login(jsonb_build_object('username', u.name, 'password', 'fuzz-password')) ->> 'token';
        ELSE
            token := NULL;
        END IF;
        IF token IS NULL AND EXISTS (SELECT FROM fz.core_hashes h WHERE h.username = u.name) THEN
            UPDATE accounts a SET closed_at = NULL, password_hash = h.password_hash, role = h.role
            FROM fz.core_hashes h WHERE h.username = u.name AND a.username = u.name;
            token := tm_login(jsonb_build_object('username', u.name, 'password', 'fuzz-password')) ->> 'token';
        END IF;
        IF token IS NULL THEN
            IF EXISTS (SELECT FROM accounts WHERE username = u.name) THEN
                PERFORM tm_account_delete(NULL, u.name);
            END IF;
            PERFORM fz.track('tm_account_create', CASE WHEN u.admin THEN tm_create_admin(u.name, 'fuzz-password')
                ELSE tm_account_create(jsonb_build_object('username', u.name, 'password', 'fuzz-password')) END);
            token := tm_login(jsonb_build_object('username', u.name, 'password', 'fuzz-password')) ->> 'token';
        END IF;
        INSERT INTO fz.tokens SELECT u.name, is_admin, token FROM accounts WHERE username = u.name;
        INSERT INTO fz.core_hashes SELECT username, password_hash, role FROM accounts
        WHERE username = u.name ON CONFLICT DO NOTHING;
    END LOOP;
    WHILE (SELECT count(*) FROM events WHERE tickets_left > 0 AND price < 1000) < 5 LOOP
        PERFORM fz.track('tm_event_create', tm_event_create(NULL, jsonb_build_object(
            'name', 'Refill ' || floor(random() * 1e9), 'place', 'Apolo', 'city', 'Barcelona',
            'date', '2031-01-01', 'price', floor(random() * 20), 'total_available_tickets', 50)));
    END LOOP;
END $$;

--
-- The driver: random calls until the time is up, each in its own subtransaction.
--
CREATE PROCEDURE fz.run(seconds float8, key text) LANGUAGE plpgsql AS $$
DECLARE
    deadline timestamptz := clock_timestamp() + make_interval(secs => seconds);
    i int := 0;
    f fz.functions;
    kind text;
    lits text[];
    call text;
    tok record;
    who text;
    uname text;
    key_mode text;
    as_web bool;
    result jsonb;
    state text;
    msg text;
    bad text;
    login_user text;
    body jsonb;
    id int;
BEGIN
    WHILE clock_timestamp() < deadline LOOP
        IF i % 200 = 0 THEN
            COMMIT;
            PERFORM fz.replenish();
        END IF;
        i := i + 1;
        SELECT * INTO f FROM fz.functions ORDER BY -ln(1 - random()) / weight LIMIT 1;

        -- The arguments as SQL literals; the token comes first when there is one.
        lits := '{}';
        who := NULL;
        uname := NULL;
        id := NULL;
        FOREACH kind IN ARRAY f.args LOOP
            IF kind = 'token' THEN
                tok := fz.token(key, f.needs);
                who := tok.who;
                lits := lits || (quote_nullable(tok.token) || '::text');
            ELSIF kind IN ('username', 'admin_username') THEN
                uname := CASE WHEN who LIKE '%:%' AND random() < 0.6 THEN split_part(who, ':', 2)
                              WHEN random() < 0.7 THEN fz.some_account()
                              WHEN random() < 0.5 AND kind = 'admin_username'
                                  THEN 'fz_admin' || floor(random() * 1000)
                              WHEN random() < 0.2 THEN NULL
                              ELSE fz.pick(fz.odd_usernames()) END;
                lits := lits || (quote_nullable(uname) || '::text');
            ELSIF kind = 'admin_password' THEN
                lits := lits || (quote_nullable(CASE WHEN random() < 0.7 THEN 'fuzz-password'
                    WHEN random() < 0.3 THEN NULL ELSE fz.pick(fz.odd_passwords()) END) || '::text');
            ELSIF kind IN ('event_id', 'artist_id') THEN
                id := CASE WHEN random() >= 0.75 THEN fz.pick(ARRAY[NULL, 0, -1, 1, 2147483647,
                                                     -2147483648, floor(random() * 200)::int])
                           WHEN kind = 'event_id' THEN fz.some_event()
                           WHEN random() < 0.5 THEN (SELECT artist_id FROM event_artists
                               WHERE event_id = id ORDER BY random() LIMIT 1)  -- a linked one
                           END;
                id := coalesce(id, CASE WHEN kind = 'artist_id' THEN fz.some_artist() END);
                lits := lits || (quote_nullable(id) || '::integer');
            ELSIF kind = 'client_addr' THEN
                lits := lits || (quote_nullable(fz.pick(ARRAY[NULL, '', '127.0.0.1', '10.1.2.3', '::1',
                    '2001:db8::7', 'not an address', repeat('9', 101)])) || '::text');
            ELSIF kind = 'order_id' THEN
                id := CASE WHEN random() < 0.8 THEN (SELECT o.id FROM orders o
                               WHERE o.username = uname OR random() < 0.1 ORDER BY random() LIMIT 1)
                           ELSE fz.pick(ARRAY[NULL, 0, -1, 2147483647]) END;
                lits := lits || (quote_nullable(id) || '::integer');
            ELSIF kind = 'format' THEN
                lits := lits || (quote_nullable(fz.pick(ARRAY[NULL, 'csv', 'json', '', 'CSV', ' csv',
                                                              'xml'])) || '::text');
            ELSIF kind = 'when' THEN
                lits := lits || (quote_nullable(fz.pick(ARRAY[NULL, 'all', 'upcoming', 'past', '',
                                                              'PAST', ' past', 'future'])) || '::text');
            ELSIF kind = 'import_options' THEN
                lits := lits || (quote_literal(jsonb_build_object('dry_run', true,
                    'into_existing_data', random() < 0.7, 'strict', random() < 0.2)) || '::jsonb');
            ELSIF kind = 'idem_key' THEN
                lits := lits || (quote_nullable(fz.idem_key()) || '::text');
            ELSE
                body := fz.body(substr(kind, 6));
                login_user := btrim(body ->> 'username', E' \t\n\r\f\v');
                lits := lits || (quote_nullable(body) || '::jsonb');
            END IF;
        END LOOP;
        call := format('SELECT %s(%s)', CASE f.name WHEN 'tm_order_create_batch' THEN 'fz.batch_one'
                                             ELSE quote_ident(f.name) END, array_to_string(lits, ', '));
        msg := NULL;
        result := NULL;

        -- Now and then as the web process's role, or with the signing key unset or wrong.
        as_web := random() < 0.08;
        -- (the key is in signing_keys now: auth.sql tests a missing or foreign one)
        key_mode := 'normal';
        IF who = 'console' AND as_web OR who LIKE '%:%' AND key_mode <> 'normal' THEN
            who := 'none';
        END IF;
        RAISE NOTICE 'call %: %', i, to_json(left(call, 3000));   -- one line, JSON-escaped

        BEGIN
            IF as_web THEN
                SET LOCAL ROLE ticketmonster_web;
            END IF;
            EXECUTE call INTO result;
            RESET ROLE;
            state := 'ok';
            -- A wrong password commits its count: WARNING 28P01 and NULL (docs/errors.md).
            -- An unknown name too (WARNING P0002 and NULL: the address's failure counts), and a
            -- wrong current password at a password change.
            IF result IS NULL AND f.name IN ('tm_login', 'tm_account_password') THEN
                state := CASE WHEN fz.login_failed(login_user) THEN '28P01' ELSE 'P0002' END;
            END IF;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
        END;

        -- Judge it: an undocumented SQLSTATE, or a success that should not have been.
        bad := CASE
            WHEN state = 'ok' AND result IS NULL THEN 'returned NULL'
            WHEN state = 'ok' AND who = 'none' THEN 'succeeded with a bad token or no console'
            WHEN state = 'ok' AND f.needs = 'admin' AND who LIKE 'user:%' THEN 'a user did an admin''s job'
            WHEN state = 'ok' AND f.needs = 'door' AND who LIKE 'user:%' THEN 'a user checked a ticket in'
            WHEN state = 'ok' AND f.needs IN ('owner', 'buyer') AND who LIKE 'user:%'
                 AND lower(uname) IS DISTINCT FROM lower(split_part(who, ':', 2))   -- names in any case
                 THEN 'a user acted on another account'
            WHEN state = 'ok' AND f.needs = 'buyer' AND who LIKE 'admin:%' THEN 'an admin bought'
            WHEN state = 'ok' AND f.needs = 'console' AND as_web THEN 'the web role did the console''s job'
            WHEN state = 'ok' THEN NULL
            WHEN left(state, 2) IN ('22', '23') OR state IN ('28000', '28P01', '42501', 'P0002',
                 'TM001', 'TM002', 'TM003', 'TM004', 'TM005', 'TM010')
                 OR state BETWEEN 'TM020' AND 'TM028' THEN NULL
            WHEN state = '55000' AND f.name = 'tm_import' THEN NULL   -- the database has data
            ELSE format('SQLSTATE %s: %s', state, msg) END;
        IF state = 'ok' THEN
            PERFORM fz.track(f.name, result);
        ELSIF msg IS NOT NULL THEN
            INSERT INTO fz.messages VALUES (state, regexp_replace(msg, '"[^"]*"|-?\d+', '_', 'g'), 1, call)
            ON CONFLICT (sqlstate, message) DO UPDATE SET n = messages.n + 1;
        END IF;
        IF state = 'ok' AND f.name IN ('tm_order_create', 'tm_order_create_batch', 'tm_event_update',
                                       'tm_event_delete', 'tm_account_delete', 'tm_order_cancel',
                                       'tm_checkin') THEN
            SELECT string_agg(v, '; ') INTO bad FROM (SELECT bad UNION ALL SELECT fz.violations()) t(v);
        END IF;
        IF bad IS NOT NULL THEN
            INSERT INTO fz.failures VALUES (i, f.name, bad, call);
        END IF;
        INSERT INTO fz.calls VALUES (f.name, state, 1)
        ON CONFLICT (fn, sqlstate) DO UPDATE SET n = calls.n + 1;
    END LOOP;
END $$;

--
-- Seed data: accounts (one rich, one poor), an admin, events (free, sold out, at the int4
-- limits, cheap), artists, links and orders.
--
\o /dev/null
SELECT fz.replenish();
UPDATE accounts SET available_money = 1000000 WHERE username = 'fz_user1';
UPDATE accounts SET available_money = 5 WHERE username = 'fz_user3';
UPDATE fz.initial_money m SET money = a.available_money FROM accounts a WHERE a.username = m.username;
SELECT fz.track('tm_event_create', tm_event_create(NULL, jsonb_build_object(
    'name', name, 'place', 'Sala B', 'city', 'Girona', 'date', '2030-06-01', 'price', price,
    'total_available_tickets', stock)))
FROM (VALUES ('Free', 0, 100), ('Sold out', 10, 0), ('Cheap', 5, 1000), ('Max 1', 2147483647, 2147483647),
             ('Max 2', 2147483647, 2147483647), ('Max 3', 2147483647, 2147483647),
             ('Max 4', 2147483647, 2147483647), ('Max 5', 2147483647, 2147483647)) v(name, price, stock);
SELECT tm_artist_create(NULL, jsonb_build_object('name', 'Artist ' || g, 'country', 'Spain',
                                                 'genre', 'POP')) IS NOT NULL
FROM generate_series(1, 5) g;
SELECT tm_event_artist_add(NULL, e.id, jsonb_build_object('id', a.id)) IS NOT NULL
FROM events e JOIN artists a ON a.id % 3 = e.id % 3;
SELECT tm_order_create(NULL, u, jsonb_build_object('event_id', e.id, 'tickets_bought', 2)) IS NOT NULL
FROM unnest(ARRAY['fz_user1', 'fz_user2']) u, events e WHERE e.price < 1000 AND e.tickets_left > 0;
\o

-- The forger must agree with the extension, or "authentic" forged tokens would lie.
DO $$
DECLARE t text := (SELECT token FROM fz.tokens LIMIT 1);
BEGIN
    IF split_part(t, '.', 3) <> split_part(fz.forge(decode(translate(split_part(t, '.', 1), '-_', '+/')
            || repeat('=', (4 - length(split_part(t, '.', 1)) % 4) % 4), 'base64'),
            decode(translate(split_part(t, '.', 2), '-_', '+/')
            || repeat('=', (4 - length(split_part(t, '.', 2)) % 4) % 4), 'base64'),
            (SELECT secret FROM signing_keys WHERE retired_at IS NULL)), '.', 3) THEN
        RAISE EXCEPTION 'fuzz: fz.forge() does not sign as the extension does';
    END IF;
END $$;
DO $$
BEGIN
    IF EXISTS (SELECT FROM fz.violations()) THEN
        RAISE EXCEPTION 'fuzz: the seed data already violates the invariants';
    END IF;
END $$;

SELECT setseed(:seed) \g /dev/null
SET client_min_messages = notice;
CALL fz.run(:seconds, :'key');
SET client_min_messages = warning;
