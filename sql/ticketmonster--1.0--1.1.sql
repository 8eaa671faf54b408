-- TicketMonster 1.0 -> 1.1. Each change here has its twin in sql/ticketmonster.sql (the
-- install script of the newest version); test/upgrade proves that both give the same schema.

\echo Use "ALTER EXTENSION ticketmonster UPDATE TO '1.1'" to load this file. \quit

-- compat: clients of the original app (issue 9)
CREATE FUNCTION tm_account_path_body(username text, body jsonb) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE SECURITY DEFINER;
CREATE FUNCTION tm_account_legacy(username text) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE SECURITY DEFINER;
ALTER FUNCTION tm_account_path_body(text, jsonb) SET search_path = @extschema@, pg_temp;
ALTER FUNCTION tm_account_legacy(text) SET search_path = @extschema@, pg_temp;
REVOKE ALL ON FUNCTION tm_account_path_body(text, jsonb), tm_account_legacy(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tm_account_path_body(text, jsonb), tm_account_legacy(text)
    TO ticketmonster_web;
