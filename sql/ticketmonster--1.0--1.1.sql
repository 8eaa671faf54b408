-- TicketMonster 1.0 -> 1.1. Each change here has its twin in sql/ticketmonster.sql (the
-- install script of the newest version); test/upgrade proves that both give the same schema.

\echo Use "ALTER EXTENSION ticketmonster UPDATE TO '1.1'" to load this file. \quit

-- import
CREATE TABLE imports (
    id            integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source_digest text NOT NULL UNIQUE,
    imported_at   timestamptz NOT NULL DEFAULT now(),
    report        jsonb NOT NULL
);

CREATE FUNCTION tm_import(source jsonb, options jsonb DEFAULT '{}') RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE SECURITY DEFINER;
ALTER FUNCTION tm_import(jsonb, jsonb) SET search_path = @extschema@, pg_temp;
REVOKE ALL ON FUNCTION tm_import(jsonb, jsonb) FROM PUBLIC;
