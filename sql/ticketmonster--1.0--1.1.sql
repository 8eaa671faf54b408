-- TicketMonster 1.0 -> 1.1. Each change here has its twin in sql/ticketmonster.sql (the
-- install script of the newest version); test/upgrade proves that both give the same schema.

\echo Use "ALTER EXTENSION ticketmonster UPDATE TO '1.1'" to load this file. \quit

-- accounts and sessions

-- Names become unique whatever their letter case: two 1.0 accounts that differ only in case
-- must be renamed by the operator first (the update stops, naming them).
DO $$
DECLARE
    clashes text;
BEGIN
    SELECT string_agg(names, '; ') INTO clashes
    FROM (SELECT string_agg(username, ', ' ORDER BY username) AS names
          FROM @extschema@.accounts GROUP BY pg_catalog.lower(username)
          HAVING pg_catalog.count(*) > 1) c;
    IF clashes IS NOT NULL THEN
        RAISE EXCEPTION 'usernames that differ only in letter case: %', clashes
            USING HINT = 'Rename all but one of each (UPDATE accounts SET username = ...), then update again.';
    END IF;
END
$$;
CREATE UNIQUE INDEX accounts_username_lower_key ON accounts (lower(username));

ALTER TABLE accounts ADD COLUMN role text NOT NULL DEFAULT 'user'
    CHECK (role IN ('user', 'admin', 'staff'));
UPDATE accounts SET role = 'admin' WHERE is_admin;
ALTER TABLE accounts DROP COLUMN is_admin;
ALTER TABLE accounts ADD COLUMN is_admin boolean NOT NULL GENERATED ALWAYS AS (role = 'admin') STORED;
ALTER TABLE accounts ADD COLUMN closed_at timestamptz;

CREATE FUNCTION tm_create_staff(username text, password text) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE SECURITY DEFINER;

-- failed logins count per account and client address; those of 1.0 become the console's ('')
ALTER TABLE login_failures ADD COLUMN client_addr text NOT NULL DEFAULT '';
ALTER TABLE login_failures ALTER COLUMN client_addr DROP DEFAULT;
ALTER TABLE login_failures DROP CONSTRAINT login_failures_pkey;
ALTER TABLE login_failures ADD PRIMARY KEY (username, client_addr);

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

-- the client address is a new argument of sign-up and login; tokens of 1.0 name no session
-- and no key, so everyone logs in again once
DROP FUNCTION tm_account_create(jsonb);
DROP FUNCTION tm_login(jsonb);
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

GRANT EXECUTE ON FUNCTION
    tm_account_create(jsonb, text), tm_login(jsonb, text), tm_logout(text, jsonb),
    tm_token_renew(text), tm_account_password(text, text, jsonb, text)
    TO ticketmonster_web;
-- events, orders and tickets ------------------------------------------------------------

-- Events: tickets sold (every order of 1.0 was live), so capacity = sold + left; a version for ETags,
-- start time, per-account limit, image, and soft deletion that keeps buyers' histories.
ALTER TABLE events
    ADD COLUMN tickets_sold integer NOT NULL DEFAULT 0 CHECK (tickets_sold >= 0),
    ADD COLUMN version bigint NOT NULL DEFAULT 1,
    ADD COLUMN start_time time,
    ADD COLUMN max_tickets_per_account integer
        CONSTRAINT events_max_tickets_per_account_check CHECK (max_tickets_per_account >= 1),
    ADD COLUMN image_url text CONSTRAINT events_image_url_check
        CHECK (image_url ~ '^/static/[A-Za-z0-9_-][A-Za-z0-9._/-]{0,190}$'
               AND image_url !~ '(\.\.|//)'),
    ADD COLUMN deleted_at timestamptz;
UPDATE events e SET tickets_sold = coalesce(
    (SELECT sum(o.tickets_bought) FROM orders o WHERE o.event_id = e.id), 0);
ALTER TABLE events
    ADD CONSTRAINT events_capacity_check CHECK (tickets_left::int8 + tickets_sold <= 2147483647),
    DROP CONSTRAINT events_name_date_city_key;
CREATE UNIQUE INDEX events_name_date_city_key ON events (name, date, city) WHERE deleted_at IS NULL;

-- Orders: every order of 1.0 was live, so confirmed.
ALTER TABLE orders
    ADD COLUMN status text NOT NULL DEFAULT 'confirmed'
        CONSTRAINT orders_status_check CHECK (status IN ('confirmed', 'cancelled', 'refunded')),
    ADD COLUMN ended_at timestamptz,
    ADD CONSTRAINT orders_ended_at_check CHECK ((status = 'confirmed') = (ended_at IS NULL));

-- Tickets: the orders of 1.0 get theirs, one code per ticket bought.
CREATE TABLE tickets (
    code          text PRIMARY KEY
                  DEFAULT rtrim(translate(encode(uuid_send(gen_random_uuid()), 'base64'), '+/', '-_'), '='),
    order_id      integer NOT NULL REFERENCES orders,
    checked_in_at timestamptz
);
CREATE INDEX tickets_order_id_idx ON tickets (order_id);
INSERT INTO tickets (order_id)
SELECT o.id FROM orders o, generate_series(1, o.tickets_bought) ORDER BY o.id;

-- New signatures (a default argument keeps the 1.0 calls working) and new functions.
DROP FUNCTION tm_events();
CREATE FUNCTION tm_events("when" text DEFAULT NULL) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE SECURITY DEFINER;
DROP FUNCTION tm_event_update(text, integer, jsonb);
CREATE FUNCTION tm_event_update(token text, id integer, body jsonb,
                                if_match text DEFAULT NULL) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE SECURITY DEFINER;
CREATE FUNCTION tm_order_cancel(token text, username text, order_id integer) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE SECURITY DEFINER;
CREATE FUNCTION tm_checkin(token text, body jsonb) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE SECURITY DEFINER;
-- (their search_path and REVOKE: the loop that ends this script)
GRANT EXECUTE ON FUNCTION tm_events(text), tm_event_update(text, integer, jsonb, text),
    tm_order_cancel(text, text, integer), tm_checkin(text, jsonb) TO ticketmonster_web;

-- sales: the organiser's figures (admins)
CREATE FUNCTION tm_sales(token text, format text DEFAULT NULL) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE SECURITY DEFINER;
CREATE FUNCTION tm_sales_daily(token text, event_id integer DEFAULT NULL) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE SECURITY DEFINER;
GRANT EXECUTE ON FUNCTION tm_sales(text, text), tm_sales_daily(text, integer) TO ticketmonster_web;

-- compat: clients of the original app (issue 9); search_path and PUBLIC as the last section does
CREATE FUNCTION tm_account_path_body(username text, body jsonb) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE SECURITY DEFINER;
CREATE FUNCTION tm_account_legacy(username text) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE SECURITY DEFINER;
GRANT EXECUTE ON FUNCTION tm_account_path_body(text, jsonb), tm_account_legacy(text)
    TO ticketmonster_web;

-- orders: several purchases in one transaction, each kept or undone on its own (group commit)
CREATE FUNCTION tm_order_create_batch(tokens text[], usernames text[], bodies text[],
                                      idempotency_keys text[])
    RETURNS TABLE (response jsonb, sqlstate text, message text, detail text, hint text,
                   raised_by_extension boolean)
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE SECURITY DEFINER ROWS 16;
GRANT EXECUTE ON FUNCTION tm_order_create_batch(text[], text[], text[], text[]) TO ticketmonster_web;

-- import
CREATE TABLE imports (
    id            integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source_digest text NOT NULL UNIQUE,
    imported_at   timestamptz NOT NULL DEFAULT now(),
    report        jsonb NOT NULL
);

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

-- every function of the extension, old and new (keep this section last): pg_catalog first
-- in its search_path, as the install script does, and no EXECUTE for PUBLIC
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
