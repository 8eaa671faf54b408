SET ticketmonster.password_cost = 1;
SELECT FROM tm_signing_key_set('tm-regress-key-not-a-secret-0123456789abcdefghij');
-- search_path hijack (issue 10, item 6). Where the extension's schema (public) is writable,
-- as it is by default before PostgreSQL 15 and after pg_upgrade, a role that may create
-- objects there plants functions and operators that a better or equal match would pick
-- instead of the built-in ones; they would then run as the extension's owner (a superuser).
-- The extension names pg_catalog first in every function's search_path and qualifies the
-- functions its C code's SQL calls, so none of them is ever called: any call raises.
\set VERBOSITY terse
\set SHOW_CONTEXT never

CREATE ROLE regress_tm_planter;
GRANT ticketmonster_web TO regress_tm_planter;
GRANT CREATE ON SCHEMA public TO regress_tm_planter;
SET ROLE regress_tm_planter;
CREATE FUNCTION public.hijacked(what text) RETURNS text LANGUAGE plpgsql AS
$$ BEGIN RAISE EXCEPTION 'hijacked: % ran as %', what, current_user; END $$;
-- exact matches where the built-in needs a cast or is variadic
CREATE FUNCTION public.to_char(date, text) RETURNS text LANGUAGE sql AS $$ SELECT public.hijacked('to_char') $$;
CREATE FUNCTION public.format(text, integer) RETURNS text LANGUAGE sql AS $$ SELECT public.hijacked('format') $$;
CREATE FUNCTION public.jsonb_build_object(text, text) RETURNS jsonb LANGUAGE sql AS $$ SELECT public.hijacked('jsonb_build_object')::jsonb $$;
CREATE FUNCTION public.jsonb_build_object(text, jsonb) RETURNS jsonb LANGUAGE sql AS $$ SELECT public.hijacked('jsonb_build_object')::jsonb $$;
CREATE FUNCTION public.make_interval(secs integer) RETURNS interval LANGUAGE sql AS $$ SELECT public.hijacked('make_interval')::interval $$;
CREATE FUNCTION public.plus(integer, numeric) RETURNS numeric LANGUAGE sql AS $$ SELECT public.hijacked('+')::numeric $$;
CREATE OPERATOR public.+ (LEFTARG = integer, RIGHTARG = numeric, FUNCTION = public.plus);
CREATE FUNCTION public.times(interval, integer) RETURNS interval LANGUAGE sql AS $$ SELECT public.hijacked('*')::interval $$;
CREATE OPERATOR public.* (LEFTARG = interval, RIGHTARG = integer, FUNCTION = public.times);
CREATE FUNCTION public.times(integer, interval) RETURNS interval LANGUAGE sql AS $$ SELECT public.hijacked('*')::interval $$;
CREATE OPERATOR public.* (LEFTARG = integer, RIGHTARG = interval, FUNCTION = public.times);
-- the same signatures as built-ins, which only a schema searched before pg_catalog would pick
CREATE FUNCTION public.lower(text) RETURNS text LANGUAGE sql AS $$ SELECT public.hijacked('lower') $$;
CREATE FUNCTION public.now() RETURNS timestamptz LANGUAGE sql AS $$ SELECT public.hijacked('now')::timestamptz $$;
CREATE FUNCTION public.sha256(bytea) RETURNS bytea LANGUAGE sql AS $$ SELECT public.hijacked('sha256')::bytea $$;
CREATE FUNCTION public.length(text) RETURNS integer LANGUAGE sql AS $$ SELECT public.hijacked('length')::integer $$;
CREATE FUNCTION public.texteq(text, text) RETURNS boolean LANGUAGE sql AS $$ SELECT public.hijacked('=')::boolean $$;
CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text, FUNCTION = public.texteq);
RESET ROLE;

-- They are live: SQL that does not name pg_catalog, with public first, runs them.
SET search_path = public, pg_catalog;
SELECT to_char(date '2030-01-01', 'YYYY');
SELECT format('event %s deleted', 1);
SELECT lower('X');
SELECT 1 + 2.5;
RESET search_path;

-- The API through all of it: every call answers as usual, none runs a planted function.
SELECT tm_account_create('{"username": "sp_user", "password": "sp password"}', '192.0.2.1') #>> '{account,username}' AS created;
SELECT tm_create_admin('sp_admin', 'sp admin password') #>> '{account,role}' AS admin;
SELECT tm_create_staff('sp_staff', 'sp staff password') #>> '{account,role}' AS staff;
SELECT tm_login('{"username": "SP_USER", "password": "sp password"}', '192.0.2.1') ->> 'token' AS tok \gset
SELECT tm_login('{"username": "sp_admin", "password": "sp admin password"}', '192.0.2.1') ->> 'token' AS admin \gset
SELECT tm_login('{"username": "sp_user", "password": "wrong password"}', '192.0.2.1') AS wrong;
SELECT tm_login('{"username": "sp_nobody", "password": "wrong password"}', '192.0.2.1') AS unknown;
SELECT tm_event_create(:'admin', '{"name": "SP Fest", "place": "Hall", "city": "Reus",
        "date": "2099-05-01", "price": 7, "total_available_tickets": 20}') #>> '{event,date}' AS event_date;
SELECT id AS ev FROM events WHERE name = 'SP Fest' \gset
SELECT tm_event_update(:'admin', :ev, '{"name": "SP Fest", "place": "Hall", "city": "Reus",
        "date": "2099-05-02", "price": 7, "total_available_tickets": 20}') #>> '{event,date}' AS moved;
SELECT tm_artist_create(:'admin', '{"name": "SP Band", "country": "ES", "genre": "POP"}') #>> '{artist,name}' AS artist;
SELECT tm_event_artist_add(:'admin', :ev, jsonb_build_object('id', (SELECT id FROM artists WHERE name = 'SP Band'))) IS NOT NULL AS linked;
SELECT jsonb_array_length(tm_events() -> 'events') > 0 AS events, tm_event(:ev) #>> '{event,name}' AS event;
SELECT tm_event_artists(:ev) #>> '{artists,0,name}' AS lineup;
SELECT tm_artists() IS NOT NULL AS artists, tm_artist_events((SELECT id FROM artists WHERE name = 'SP Band')) IS NOT NULL AS artist_events;
SELECT tm_order_create(:'tok', 'sp_user', jsonb_build_object('event_id', :ev, 'tickets_bought', 2), 'sp-key') #>> '{order,tickets_bought}' AS bought;
SELECT tm_order_create(:'tok', 'sp_user', jsonb_build_object('event_id', :ev, 'tickets_bought', 2), 'sp-key') #>> '{order,tickets_bought}' AS retried;
SELECT jsonb_array_length(tm_account_orders(:'tok', 'sp_user') -> 'orders') AS orders, tm_orders(:'admin') IS NOT NULL AS all_orders;
SELECT tm_account(:'tok', 'sp_user') #>> '{account,available_money}' AS money, tm_accounts(:'admin') IS NOT NULL AS accounts;
SELECT tm_order_create(:'tok', 'sp_user', jsonb_build_object('event_id', :ev, 'tickets_bought', 1)) #>> '{order,id}' AS second \gset
SELECT tm_order_cancel(:'tok', 'sp_user', :second) ->> 'refund' AS refund;
SELECT tm_checkin(:'admin', pg_catalog.jsonb_build_object('code', (SELECT t.code FROM tickets t JOIN orders o ON o.id = t.order_id
        WHERE o.username = 'sp_user' AND o.status = 'confirmed' LIMIT 1))) #> '{ticket,checked_in_at}' IS NOT NULL AS checked_in;
SELECT tm_sales(:'admin') #> '{totals,checked_in}' IS NOT NULL AS sales, tm_sales(:'admin', 'csv') IS NOT NULL AS csv,
       tm_sales_daily(:'admin', :ev) #>> '{days,0,tickets}' AS sold_today;
SELECT tm_token_renew(:'tok') ->> 'token' AS renewed \gset
SELECT tm_account_password(:'renewed', 'sp_user', '{"password": "sp password", "new_password": "sp new password"}', '192.0.2.1') #>> '{account,username}' AS changed;
SELECT tm_login('{"username": "sp_user", "password": "sp new password"}') ->> 'token' AS tok \gset
SELECT tm_logout(:'tok', '{"everywhere": true}') ->> 'message' AS logout;
SELECT tm_event_artist_remove(:'admin', :ev, (SELECT id FROM artists WHERE name = 'SP Band')) IS NOT NULL AS unlinked;
SELECT tm_event_delete(:'admin', :ev) ->> 'message' LIKE 'event % deleted' AS refunded;
SELECT available_money AS refunded_money FROM accounts WHERE username = 'sp_user';
SELECT tm_artist_delete(:'admin', (SELECT id FROM artists WHERE name = 'SP Band')) IS NOT NULL AS artist_gone;
SELECT tm_account_delete(:'admin', 'sp_user') ->> 'message' AS deleted;
SELECT tm_signing_key_set('tm-regress-key-not-a-secret-0123456789abcdefghij') -> 'changed' AS key_unchanged;
-- and every function of the extension has pg_catalog first in its search_path
SELECT p.oid::regprocedure AS function, p.proconfig
FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension x ON x.oid = d.refobjid AND x.extname = 'ticketmonster'
WHERE p.proconfig IS NULL OR NOT p.proconfig[1] LIKE 'search_path=pg_catalog, %';

DELETE FROM tickets WHERE order_id IN (SELECT id FROM orders WHERE username LIKE 'sp\_%');
DELETE FROM orders WHERE username LIKE 'sp\_%';
DELETE FROM accounts WHERE username LIKE 'sp\_%';
DROP OWNED BY regress_tm_planter;
DROP ROLE regress_tm_planter;
