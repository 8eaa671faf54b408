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

-- import
CREATE TABLE imports (
    id            integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source_digest text NOT NULL UNIQUE,
    imported_at   timestamptz NOT NULL DEFAULT now(),
    report        jsonb NOT NULL
);

CREATE FUNCTION tm_import(source jsonb, options jsonb DEFAULT '{}') RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE SECURITY DEFINER;

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
