-- After ALTER EXTENSION ticketmonster UPDATE on the database of fill-1.0.sql: the data is
-- intact, every account logs in with its old password, the invariants hold, and the API
-- works on old data. Each check raises an exception naming what broke.
\set ON_ERROR_STOP on
SET client_min_messages = error;
SELECT tm_signing_key_set('upgrade-test-key-0123456789abcdef0123456789') IS NOT NULL AS key_set;

-- What 1.0 answered is still answered, field for field (1.1 only adds fields).
CREATE FUNCTION pg_temp.same(kind text, now jsonb, fields text[]) RETURNS void AS $$
DECLARE
    missing jsonb;
BEGIN
    SELECT jsonb_agg(old.item) INTO missing
    FROM upgrade_check.before b, jsonb_array_elements(b.body -> kind) AS old(item)
    WHERE b.what = kind
      AND NOT EXISTS (
          SELECT FROM jsonb_array_elements(now -> kind) AS new(item)
          WHERE (SELECT bool_and(new.item -> f = old.item -> f) FROM unnest(fields) AS f));
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'after the update, % differ from before: %', kind, missing;
    END IF;
END
$$ LANGUAGE plpgsql;

SELECT pg_temp.same('accounts', tm_accounts(NULL), '{username,is_admin,available_money}');
SELECT pg_temp.same('events', tm_events(),
                    '{id,name,place,city,date,price,total_available_tickets,artists}');
SELECT pg_temp.same('artists', tm_artists(), '{id,name,country,genre}');
SELECT pg_temp.same('orders', tm_orders(NULL),
                    '{id,username,event_id,id_event,event_name,event_city,event_date,tickets_bought,price}');

-- Every account logs in with the password it had.
DO $$
DECLARE
    p record;
BEGIN
    FOR p IN SELECT * FROM upgrade_check.passwords WHERE username <> 'erin' LOOP
        IF tm_login(jsonb_build_object('username', p.username, 'password', p.password)) ->> 'token' IS NULL THEN
            RAISE EXCEPTION '% cannot log in after the update', p.username;
        END IF;
    END LOOP;
END
$$;

-- erin's failures before the update still count: seven more lock the account.
SELECT tm_login('{"username": "erin", "password": "wrong"}') FROM generate_series(1, 7);
DO $$
BEGIN
    PERFORM tm_login('{"username": "erin", "password": "x"}');
    RAISE EXCEPTION 'erin''s failed logins from before the update were forgotten';
EXCEPTION WHEN SQLSTATE 'TM005' THEN
    NULL;
END
$$;

-- Money: what each account spent is what its orders cost (and the deleted event refunded).
DO $$
DECLARE
    bad text;
BEGIN
    SELECT string_agg(format('%s has %s, spent %s', a ->> 'username', a ->> 'available_money',
                             coalesce(o.cost, 0)), '; ') INTO bad
    FROM jsonb_array_elements(tm_accounts(NULL) -> 'accounts') AS a
    LEFT JOIN (SELECT x ->> 'username' AS username,
                      sum((x ->> 'tickets_bought')::int * (x ->> 'price')::int) AS cost
               FROM jsonb_array_elements(tm_orders(NULL) -> 'orders') AS x GROUP BY 1) o
           ON o.username = a ->> 'username'
    WHERE (a ->> 'is_admin')::int = 0
      AND (a ->> 'available_money')::int <> 200 - coalesce(o.cost, 0);
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'balances do not match the orders: %', bad;
    END IF;
END
$$;

-- The API keeps working on old data: a new account buys from an old event, an old account
-- buys again, the retried purchase with the old Idempotency-Key returns the first answer.
SELECT tm_account_create('{"username": "newcomer", "password": "newcomer-password"}') IS NOT NULL;
SELECT tm_order_create(NULL, 'newcomer', jsonb_build_object('event_id',
        (SELECT (e ->> 'id')::int FROM jsonb_array_elements(tm_events() -> 'events') e
         WHERE e ->> 'name' = 'Primavera 2099'), 'tickets_bought', 1)) IS NOT NULL;
DO $$
DECLARE
    first jsonb;
    again jsonb;
BEGIN
    SELECT x INTO first FROM jsonb_array_elements(tm_orders(NULL) -> 'orders') x
    WHERE x ->> 'username' = 'Carol';
    again := tm_order_create(NULL, 'Carol', jsonb_build_object('event_id', first -> 'event_id',
                                                                'tickets_bought', 1), 'carol-retry-key');
    IF again -> 'order' ->> 'id' IS DISTINCT FROM first ->> 'id' THEN
        RAISE EXCEPTION 'the Idempotency-Key of before the update bought again: %', again;
    END IF;
END
$$;

-- Accounts and sessions of 1.1 on the old accounts: roles migrated from is_admin, names in any
-- letter case, old (even weak) passwords still log in, tokens name a session and a key, a
-- password change works and revokes, failures of 1.0 count for the console's address ('').
DO $$
DECLARE
    bad text;
    tok text;
    changed jsonb;
BEGIN
    SELECT string_agg(format('%s: role %s, is_admin %s', username, role, is_admin), '; ') INTO bad
    FROM accounts
    WHERE role <> CASE WHEN username = 'boss' THEN 'admin' ELSE 'user' END
       OR is_admin <> (username = 'boss') OR closed_at IS NOT NULL;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'roles after the update: %', bad;
    END IF;
    IF (SELECT client_addr FROM login_failures WHERE username = 'erin') IS DISTINCT FROM '' THEN
        RAISE EXCEPTION 'erin''s failed logins of 1.0 are not the console''s';
    END IF;
    -- erin's password is "x", far too short for a new one: she keeps it
    UPDATE login_failures SET window_start = window_start - interval '5 minutes' WHERE username = 'erin';
    IF tm_login('{"username": "ERIN", "password": "x"}', '192.0.2.1') ->> 'username' IS DISTINCT FROM 'erin' THEN
        RAISE EXCEPTION 'erin cannot log in with her old weak password';
    END IF;
    tok := tm_login('{"username": "carol", "password": "carol-password"}', '192.0.2.1') ->> 'token';
    IF tm_account(tok, 'CAROL') #>> '{account,username}' IS DISTINCT FROM 'Carol' THEN
        RAISE EXCEPTION 'Carol is not found in another letter case';
    END IF;
    IF NOT EXISTS (SELECT FROM sessions WHERE username = 'Carol') THEN
        RAISE EXCEPTION 'a login of an old account started no session';
    END IF;
    changed := tm_account_password(tok, 'carol', '{"password": "carol-password", "new_password": "carol new password"}');
    BEGIN
        PERFORM tm_account(tok, 'Carol');
        RAISE EXCEPTION 'a token from before the password change still works';
    EXCEPTION WHEN SQLSTATE '28000' THEN
        NULL;
    END;
    IF tm_account(changed ->> 'token', 'Carol') IS NULL THEN
        RAISE EXCEPTION 'the token of the password change does not work';
    END IF;
    -- old names are unique in any letter case too
    BEGIN
        PERFORM tm_account_create('{"username": "ALICE", "password": "another alice"}');
        RAISE EXCEPTION 'ALICE was created beside alice';
    EXCEPTION WHEN unique_violation THEN
        NULL;
    END;
END
$$;

-- events, orders and tickets: every order of 1.0 is confirmed with one ticket (and a distinct
-- code) per ticket bought; every event's capacity is what it sold plus what it had left.
DO $$
DECLARE
    bad text;
BEGIN
    SELECT string_agg(format('order %s: %s, %s tickets for %s bought', o ->> 'id', o ->> 'status',
                             jsonb_array_length(o -> 'tickets'), o ->> 'tickets_bought'), '; ') INTO bad
    FROM jsonb_array_elements(tm_orders(NULL) -> 'orders') o
    WHERE o ->> 'username' <> 'newcomer'
      AND (o ->> 'status' <> 'confirmed' OR o ->> 'created_at' IS NULL
           OR jsonb_array_length(o -> 'tickets') <> (o ->> 'tickets_bought')::int
           OR EXISTS (SELECT FROM jsonb_array_elements(o -> 'tickets') t
                      WHERE t ->> 'code' !~ '^[A-Za-z0-9_-]{22}$' OR t -> 'checked_in_at' <> 'null'));
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'old orders did not get their tickets: %', bad;
    END IF;
    IF (SELECT count(DISTINCT t ->> 'code') <> count(*)
        FROM jsonb_array_elements(tm_orders(NULL) -> 'orders') o, jsonb_array_elements(o -> 'tickets') t) THEN
        RAISE EXCEPTION 'two tickets share a code';
    END IF;
    SELECT string_agg(format('event %s: capacity %s, left %s, sold %s', e ->> 'id', e ->> 'capacity',
                             e ->> 'total_available_tickets', coalesce(s.sold, 0)), '; ') INTO bad
    FROM jsonb_array_elements(tm_events() -> 'events') e
    LEFT JOIN (SELECT (o ->> 'event_id')::int AS id, sum((o ->> 'tickets_bought')::int) AS sold
               FROM jsonb_array_elements(tm_orders(NULL) -> 'orders') o
               WHERE o ->> 'status' = 'confirmed' GROUP BY 1) s ON s.id = (e ->> 'id')::int
    WHERE (e ->> 'capacity')::int <> (e ->> 'total_available_tickets')::int + coalesce(s.sold, 0)
       OR (e ->> 'version')::int < 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'capacity is not sold + left after the update: %', bad;
    END IF;
    -- the old past event is past and no longer sold
    IF NOT coalesce((SELECT bool_and((e ->> 'past')::bool) FROM jsonb_array_elements(tm_events('past') -> 'events') e
            WHERE e ->> 'name' = 'Canet Rock 2020'), false) THEN
        RAISE EXCEPTION 'Canet Rock 2020 is not listed as past';
    END IF;
END
$$;

-- compat (issue 9): the original app's clients on old data. The legacy account read answers
-- an old account's balance and admin flag; an identical create of an artist of 1.0 is that
-- artist, a different one a conflict; an old event takes available_tickets.
DO $$
DECLARE
    legacy jsonb := tm_account_legacy('Carol') -> 'account';
    owner_view jsonb := tm_account(NULL, 'Carol') -> 'account';
    artist jsonb;
    event jsonb;
BEGIN
    IF legacy ->> 'username' <> 'Carol' OR legacy -> 'available_money' <> owner_view -> 'available_money'
       OR legacy -> 'is_admin' <> '0' OR (tm_account_legacy('boss') -> 'account' -> 'is_admin') <> '1' THEN
        RAISE EXCEPTION 'tm_account_legacy on old accounts: % and %', legacy, tm_account_legacy('boss');
    END IF;
    SELECT a INTO artist FROM jsonb_array_elements(tm_artists() -> 'artists') a WHERE a ->> 'name' = 'Txarango';
    IF tm_artist_create(NULL, '{"name": "Txarango", "country": "Spain", "genre": "reggae"}') -> 'artist' <> artist THEN
        RAISE EXCEPTION 'an identical create of the old artist % was not that artist', artist;
    END IF;
    BEGIN
        PERFORM tm_artist_create(NULL, '{"name": "Txarango", "country": "France", "genre": "REGGAE"}');
        RAISE EXCEPTION 'the old artist''s name with another country was not a conflict';
    EXCEPTION WHEN unique_violation THEN
        NULL;
    END;
    SELECT e INTO event FROM jsonb_array_elements(tm_events() -> 'events') e WHERE e ->> 'name' = 'Free Jam';
    event := tm_event_update(NULL, (event ->> 'id')::int, jsonb_build_object('name', event -> 'name',
        'place', event -> 'place', 'city', event -> 'city', 'date', event -> 'date',
        'price', event -> 'price', 'available_tickets', 321)) -> 'event';
    IF event -> 'total_available_tickets' <> '321' THEN
        RAISE EXCEPTION 'available_tickets on an old event: %', event;
    END IF;
END
$$;
