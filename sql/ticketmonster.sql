-- TicketMonster install script. The Makefile copies it to ticketmonster--<version>.sql;
-- later versions add ticketmonster--A--B.sql upgrade scripts beside it.

\echo Use "CREATE EXTENSION ticketmonster" to load this file. \quit

-- Schema: the constraints are the last line of defence behind the C functions.

-- An account keeps its row for good: closing it (closed_at) keeps its name taken and its
-- orders in the history. Names are unique whatever their letter case (the index on
-- lower(username)) and keep the spelling they were created with.
CREATE TABLE accounts (
    username        text PRIMARY KEY
                    CHECK (username = btrim(username) AND length(username) BETWEEN 1 AND 30),
    password_hash   text NOT NULL,
    -- staff: door staff, who may only check tickets in
    role            text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin', 'staff')),
    -- the 1.0 flag, kept for the API's is_admin
    is_admin        boolean NOT NULL GENERATED ALWAYS AS (role = 'admin') STORED,
    available_money integer NOT NULL DEFAULT 200 CHECK (available_money >= 0),
    created_at      timestamptz NOT NULL DEFAULT now(),
    closed_at       timestamptz
);
CREATE UNIQUE INDEX accounts_username_lower_key ON accounts (lower(username));

CREATE TABLE events (
    id           integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text NOT NULL CHECK (name = btrim(name) AND length(name) BETWEEN 1 AND 30),
    place        text NOT NULL CHECK (place = btrim(place) AND length(place) BETWEEN 1 AND 100),
    city         text NOT NULL CHECK (city = btrim(city) AND length(city) BETWEEN 1 AND 100),
    date         date NOT NULL,
    price        integer NOT NULL CHECK (price >= 0),
    -- the contract calls it total_available_tickets: what is still on sale
    tickets_left integer NOT NULL CHECK (tickets_left >= 0),
    -- events, orders and tickets (1.1): tickets of confirmed orders; the API's capacity
    -- is tickets_left + tickets_sold, within 32 bits.
    tickets_sold integer NOT NULL DEFAULT 0 CHECK (tickets_sold >= 0),
    -- changes with every change of the row (edits and sales): the ETag of the event
    version      bigint NOT NULL DEFAULT 1,
    start_time   time,
    max_tickets_per_account integer
                 CONSTRAINT events_max_tickets_per_account_check CHECK (max_tickets_per_account >= 1),
    image_url    text CONSTRAINT events_image_url_check
                 CHECK (image_url ~ '^/static/[A-Za-z0-9_-][A-Za-z0-9._/-]{0,190}$'
                        AND image_url !~ '(\.\.|//)'),
    -- a deleted (cancelled) event: 404 in the API, kept for its buyers' order histories
    deleted_at   timestamptz,
    CONSTRAINT events_capacity_check CHECK (tickets_left::int8 + tickets_sold <= 2147483647)
);
-- Only live events must differ in (name, date, city): a cancelled one may be recreated.
CREATE UNIQUE INDEX events_name_date_city_key ON events (name, date, city) WHERE deleted_at IS NULL;

CREATE TABLE artists (
    id      integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name    text NOT NULL UNIQUE CHECK (name = btrim(name) AND length(name) BETWEEN 1 AND 30),
    country text NOT NULL CHECK (country = btrim(country) AND length(country) BETWEEN 1 AND 100),
    genre   text NOT NULL CHECK (genre IN ('REGGAE', 'POP', 'TRAP', 'HIP HOP', 'ROCK', 'INDIE',
                                           'HEAVY', 'ELECTRONIC', 'OTHER'))
);

CREATE TABLE event_artists (
    event_id  integer NOT NULL REFERENCES events ON DELETE CASCADE,
    artist_id integer NOT NULL REFERENCES artists ON DELETE CASCADE,
    PRIMARY KEY (event_id, artist_id)
);
CREATE INDEX ON event_artists (artist_id);

-- No cascades: deleting an account or an event must put tickets back or refund money first,
-- and the foreign keys make forgetting that an error instead of a silent loss.
CREATE TABLE orders (
    id             integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username       text NOT NULL REFERENCES accounts,
    event_id       integer NOT NULL REFERENCES events,
    tickets_bought integer NOT NULL CHECK (tickets_bought >= 1),
    price          integer NOT NULL CHECK (price >= 0),
    created_at     timestamptz NOT NULL DEFAULT now(),
    -- events, orders and tickets (1.1): cancelled by its buyer, refunded by an event
    -- cancellation or an account closing; ended_at is when it stopped being confirmed.
    status         text NOT NULL DEFAULT 'confirmed'
                   CONSTRAINT orders_status_check CHECK (status IN ('confirmed', 'cancelled', 'refunded')),
    ended_at       timestamptz,
    CONSTRAINT orders_ended_at_check CHECK ((status = 'confirmed') = (ended_at IS NULL))
);
CREATE INDEX ON orders (username);
CREATE INDEX ON orders (event_id);

-- One row per ticket sold, with the code the door scans: 122 random bits of a version 4
-- UUID, base64url without padding (22 characters).
CREATE TABLE tickets (
    code          text PRIMARY KEY
                  DEFAULT rtrim(translate(encode(uuid_send(gen_random_uuid()), 'base64'), '+/', '-_'), '='),
    order_id      integer NOT NULL REFERENCES orders,
    checked_in_at timestamptz
);
CREATE INDEX tickets_order_id_idx ON tickets (order_id);

-- A purchase's response, kept so that a retried request with the same Idempotency-Key
-- returns it instead of buying again.
CREATE TABLE idempotency_keys (
    username     text NOT NULL REFERENCES accounts ON DELETE CASCADE,
    key          text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_hash text NOT NULL,
    response     jsonb NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (username, key)
);

-- Failed logins of an account from one client address in the current window (tm_login): the
-- window is fixed from its first failure, so a lockout ends when it does however many attempts
-- follow, and it holds back that address only, never the owner logging in from another. A
-- successful login from the address deletes the row. '' is the console's (no address).
CREATE TABLE login_failures (
    username     text NOT NULL REFERENCES accounts ON DELETE CASCADE,
    client_addr  text NOT NULL,
    failures     integer NOT NULL CHECK (failures >= 0),
    window_start timestamptz NOT NULL,
    PRIMARY KEY (username, client_addr)
);

-- Failed logins of a client address across all names, unknown ones included: the ceiling
-- that slows down an address trying many accounts. Same fixed window as login_failures.
CREATE TABLE address_failures (
    client_addr  text PRIMARY KEY,
    failures     integer NOT NULL CHECK (failures >= 0),
    window_start timestamptz NOT NULL
);

-- Sign-ups of the last hour per client address (ticketmonster.signups_per_hour); older rows
-- of an address go when it signs up again.
CREATE TABLE signups (
    client_addr text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON signups (client_addr, created_at);

-- Login sessions. A password login starts one; its tokens name it ("sid") and are valid only
-- while it exists and never after expires_at (ticketmonster.token_max_age after the login),
-- however often they are renewed. Logging out, a password change and closing or deleting
-- the account end sessions, so no token outlives the account instance it was issued to.
CREATE TABLE sessions (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username   text NOT NULL REFERENCES accounts ON DELETE CASCADE,
    started_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX ON sessions (username);

-- The keys that sign tokens (tm_signing_key_set). Nobody but the extension's owner may read
-- them: the web role only runs the API's functions. The one with no retired_at is current;
-- a retired key still verifies the tokens it signed before it was retired, until they have
-- expired (tokens live at most 30 days, so it is dropped 30 days after its retirement).
CREATE TABLE signing_keys (
    kid        text PRIMARY KEY,
    secret     text NOT NULL CHECK (length(secret) >= 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    retired_at timestamptz
);
CREATE UNIQUE INDEX signing_keys_current_key ON signing_keys ((retired_at IS NULL))
    WHERE retired_at IS NULL;
REVOKE ALL ON signing_keys FROM PUBLIC;

-- import: what `ticketmonster-web import` brought in from the original app, so that the same
-- source imported again is recognised (tm_import answers "already imported" and writes nothing).
CREATE TABLE imports (
    id            integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source_digest text NOT NULL UNIQUE,
    imported_at   timestamptz NOT NULL DEFAULT now(),
    report        jsonb NOT NULL
);

-- The API. Every function returns the response body as jsonb. Functions that need an
-- identity take the request's token first; a NULL token means "the admin console" and is
-- accepted only from a database role with the privileges of the extension's owner.

-- client_addr: the HTTP client's address as the web process sees it (throttling); NULL from
-- the console.
CREATE FUNCTION tm_account_create(body jsonb, client_addr text DEFAULT NULL) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE SECURITY DEFINER;
CREATE FUNCTION tm_login(body jsonb, client_addr text DEFAULT NULL) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE SECURITY DEFINER;
CREATE FUNCTION tm_logout(token text, body jsonb DEFAULT NULL) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE SECURITY DEFINER;
CREATE FUNCTION tm_token_renew(token text) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE SECURITY DEFINER;
CREATE FUNCTION tm_account_password(token text, username text, body jsonb,
                                    client_addr text DEFAULT NULL) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE SECURITY DEFINER;
CREATE FUNCTION tm_account(token text, username text) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE SECURITY DEFINER;
CREATE FUNCTION tm_account_delete(token text, username text) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE SECURITY DEFINER;
CREATE FUNCTION tm_accounts(token text) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE SECURITY DEFINER;
CREATE FUNCTION tm_create_admin(username text, password text) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE SECURITY DEFINER;
CREATE FUNCTION tm_create_staff(username text, password text) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE SECURITY DEFINER;

-- The console's (the extension's owner): make `secret` the key that signs new tokens. A key
-- under 32 characters is refused; the current key again changes nothing; a new one gets a
-- new kid, and the keys it replaces keep verifying the tokens they signed until those expire.
-- Not SECURITY DEFINER: only a role that may write signing_keys can run it.
CREATE FUNCTION tm_signing_key_set(secret text) RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    current_kid text;
    current_secret text;
    new_kid text;
BEGIN
    IF tm_signing_key_set.secret IS NULL OR pg_catalog.length(tm_signing_key_set.secret) < 32 THEN
        RAISE EXCEPTION 'a signing key must have at least 32 characters'
            USING ERRCODE = '22023', HINT = 'Use a random string, e.g. openssl rand -hex 32.';
    END IF;
    -- one rotation at a time: the second waits and then sees the first's key
    LOCK TABLE @extschema@.signing_keys IN SHARE ROW EXCLUSIVE MODE;
    SELECT k.kid, k.secret INTO current_kid, current_secret
    FROM @extschema@.signing_keys k WHERE k.retired_at IS NULL;
    IF current_secret = tm_signing_key_set.secret THEN
        RETURN pg_catalog.jsonb_build_object('kid', current_kid, 'changed', false);
    END IF;
    UPDATE @extschema@.signing_keys SET retired_at = pg_catalog.now() WHERE retired_at IS NULL;
    DELETE FROM @extschema@.signing_keys
    WHERE retired_at < pg_catalog.now() - interval '30 days';
    new_kid := pg_catalog.substr(pg_catalog.md5(pg_catalog.gen_random_uuid()::text), 1, 16);
    INSERT INTO @extschema@.signing_keys (kid, secret) VALUES (new_kid, tm_signing_key_set.secret);
    RETURN pg_catalog.jsonb_build_object('kid', new_kid, 'changed', true);
END
$$;

CREATE FUNCTION tm_events("when" text DEFAULT NULL) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE SECURITY DEFINER;
CREATE FUNCTION tm_event(id integer) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE SECURITY DEFINER;
CREATE FUNCTION tm_event_create(token text, body jsonb) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE SECURITY DEFINER;
CREATE FUNCTION tm_event_update(token text, id integer, body jsonb,
                                if_match text DEFAULT NULL) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE SECURITY DEFINER;
CREATE FUNCTION tm_event_delete(token text, id integer) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE SECURITY DEFINER;
CREATE FUNCTION tm_event_artists(event_id integer) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE SECURITY DEFINER;
CREATE FUNCTION tm_event_artist(event_id integer, artist_id integer) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE SECURITY DEFINER;
CREATE FUNCTION tm_event_artist_add(token text, event_id integer, body jsonb) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE SECURITY DEFINER;
CREATE FUNCTION tm_event_artist_remove(token text, event_id integer, artist_id integer) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE SECURITY DEFINER;

CREATE FUNCTION tm_artists() RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE SECURITY DEFINER;
CREATE FUNCTION tm_artist(id integer) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE SECURITY DEFINER;
CREATE FUNCTION tm_artist_events(id integer) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE SECURITY DEFINER;
CREATE FUNCTION tm_artist_create(token text, body jsonb) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE SECURITY DEFINER;
CREATE FUNCTION tm_artist_update(token text, id integer, body jsonb) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE SECURITY DEFINER;
CREATE FUNCTION tm_artist_delete(token text, id integer) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE SECURITY DEFINER;

CREATE FUNCTION tm_order_create(token text, username text, body jsonb,
                                idempotency_key text DEFAULT NULL) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE SECURITY DEFINER;
-- Several purchases in one transaction, each kept or undone on its own (a group commit: the
-- web process sends the purchases that queued while its last call ran). Row i is purchase i's
-- response, or its error.
CREATE FUNCTION tm_order_create_batch(tokens text[], usernames text[], bodies text[],
                                      idempotency_keys text[])
    RETURNS TABLE (response jsonb, sqlstate text, message text, detail text, hint text,
                   raised_by_extension boolean)
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE SECURITY DEFINER ROWS 16;
CREATE FUNCTION tm_account_orders(token text, username text) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE SECURITY DEFINER;
CREATE FUNCTION tm_orders(token text) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE SECURITY DEFINER;
CREATE FUNCTION tm_order_cancel(token text, username text, order_id integer) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE SECURITY DEFINER;
CREATE FUNCTION tm_checkin(token text, body jsonb) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE SECURITY DEFINER;

CREATE FUNCTION tm_sales(token text, format text DEFAULT NULL) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE SECURITY DEFINER;
CREATE FUNCTION tm_sales_daily(token text, event_id integer DEFAULT NULL) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE SECURITY DEFINER;

-- compat: clients of the original app (issue 9). POST /account/<username> signs up with
-- tm_account_create(tm_account_path_body(...)); with LEGACY_CLIENTS on the web process, a
-- GET /account/<username> without a token calls tm_account_legacy (anyone reads balances).
CREATE FUNCTION tm_account_path_body(username text, body jsonb) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE SECURITY DEFINER;
CREATE FUNCTION tm_account_legacy(username text) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE SECURITY DEFINER;

-- import: the original Flask app's rows (docs/import.md), console only.
CREATE FUNCTION tm_import(source jsonb, options jsonb DEFAULT '{}') RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE SECURITY DEFINER;

-- cache: the web processes keep public reads (events, artists) in memory and drop them when
-- the data change. Every statement that changes a public table notifies the channel
-- ticketmonster_public; PostgreSQL delivers it when the transaction commits (never for a
-- rollback), whoever made the change: the API, or an admin in psql. Duplicates within one
-- transaction fold into one notification. Sales are the exception: a transaction that
-- notifies holds a database-wide lock from its commit until it is durable, which made spread
-- purchases 4 times slower; they change only the ticket counts and the version, which the
-- web processes refresh within their age bound (CACHE_MAX_AGE_MS, docs/caching.md).
CREATE FUNCTION tm_public_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_catalog.pg_notify('ticketmonster_public', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER tm_public_changed AFTER INSERT OR DELETE OR TRUNCATE
    OR UPDATE OF name, place, city, date, price, start_time, max_tickets_per_account, image_url,
                 deleted_at ON events
    FOR EACH STATEMENT EXECUTE FUNCTION tm_public_changed();
CREATE TRIGGER tm_public_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON artists
    FOR EACH STATEMENT EXECUTE FUNCTION tm_public_changed();
CREATE TRIGGER tm_public_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON event_artists
    FOR EACH STATEMENT EXECUTE FUNCTION tm_public_changed();

-- Every function runs as the extension's owner with pg_catalog first in its search_path, so
-- that no object planted in a writable schema (public before PostgreSQL 15) shadows a
-- built-in one; the C code's SQL also names pg_catalog for the functions it calls, since an
-- exact-match overload elsewhere would otherwise win over a built-in that needs a cast.
-- Callers get EXECUTE on the API and nothing else.
DO $$
DECLARE
    fn regprocedure;
BEGIN
    FOR fn IN
        SELECT p.oid::regprocedure
        FROM pg_catalog.pg_proc p
        JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_proc'::regclass
                                   AND d.objid = p.oid AND d.deptype = 'e'
        JOIN pg_catalog.pg_extension x ON x.oid = d.refobjid AND x.extname = 'ticketmonster'
    LOOP
        EXECUTE format('ALTER FUNCTION %s SET search_path = pg_catalog, @extschema@, pg_temp', fn);
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', fn);
    END LOOP;
END
$$;

-- The web process's role: NOLOGIN, so a deployment grants it to the login role the shim
-- uses (GRANT ticketmonster_web TO app_user). Created once per cluster.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'ticketmonster_web') THEN
        CREATE ROLE ticketmonster_web NOLOGIN;
    END IF;
END
$$;

GRANT USAGE ON SCHEMA @extschema@ TO ticketmonster_web;
GRANT EXECUTE ON FUNCTION
    tm_account_create(jsonb, text), tm_login(jsonb, text), tm_account(text, text),
    tm_logout(text, jsonb), tm_token_renew(text), tm_account_password(text, text, jsonb, text),
    tm_account_delete(text, text), tm_accounts(text),
    tm_events(text), tm_event(integer), tm_event_create(text, jsonb),
    tm_event_update(text, integer, jsonb, text), tm_event_delete(text, integer),
    tm_event_artists(integer), tm_event_artist(integer, integer),
    tm_event_artist_add(text, integer, jsonb), tm_event_artist_remove(text, integer, integer),
    tm_artists(), tm_artist(integer), tm_artist_events(integer), tm_artist_create(text, jsonb),
    tm_artist_update(text, integer, jsonb), tm_artist_delete(text, integer),
    tm_order_create(text, text, jsonb, text),
    tm_order_create_batch(text[], text[], text[], text[]),
    tm_account_orders(text, text), tm_orders(text),
    tm_order_cancel(text, text, integer), tm_checkin(text, jsonb),
    tm_sales(text, text), tm_sales_daily(text, integer)
    TO ticketmonster_web;

-- compat
GRANT EXECUTE ON FUNCTION tm_account_path_body(text, jsonb), tm_account_legacy(text)
    TO ticketmonster_web;
