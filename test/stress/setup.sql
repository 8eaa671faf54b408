-- The stress database: 200 users, one hot event, 50 spread events, 10 small ones. What was
-- put on sale and each account's starting money are recorded for invariants.sql.
SET ticketmonster.password_cost = 1;
CREATE EXTENSION ticketmonster;

SELECT count(tm_account_create(jsonb_build_object('username', 'user' || i,
                                                  'password', 'stress-password-' || i)))
FROM generate_series(1, 200) i \g /dev/null

-- user1..user100 buy in the hot and spread scenarios and must not run out of money there;
-- user101..user200 keep the 200 every account starts with, and run out in the mix.
UPDATE accounts SET available_money = 1000000
WHERE username IN (SELECT 'user' || i FROM generate_series(1, 100) i);

-- ids 1 (hot), 2..51 (spread), 52..61 (small): the pgbench scripts rely on them.
CREATE FUNCTION pg_temp.event(name text, place text, day integer, price integer, tickets integer)
RETURNS jsonb LANGUAGE sql AS $$
    SELECT tm_event_create(NULL, jsonb_build_object('name', name, 'place', place, 'city', 'Madrid',
        'date', date '2030-01-01' + day, 'price', price, 'total_available_tickets', tickets))
$$;
SELECT pg_temp.event('Hot Gig', 'Stadium', 0, 1, 10000000) \g /dev/null
SELECT count(pg_temp.event('Spread Gig ' || i, 'Club', i, 1 + i % 5, 1000000))
FROM generate_series(1, 50) i \g /dev/null
SELECT count(pg_temp.event('Small Gig ' || i, 'Bar', i, 10 + 5 * (i % 3), 100))
FROM generate_series(1, 10) i \g /dev/null

CREATE TABLE stress_budget AS SELECT username, available_money AS initial FROM accounts;
CREATE TABLE stress_stock AS SELECT id, price, tickets_left AS initial FROM events;
CREATE UNLOGGED TABLE stress_refusals (reason text NOT NULL);

-- The mix refuses purchases on purpose; pgbench 15 would end a client on the first error,
-- so the expected refusals are caught (and counted) here. Anything else still aborts.
CREATE FUNCTION stress_buy(username text, body jsonb, idempotency_key text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    reason text;
BEGIN
    PERFORM tm_order_create(NULL, username, body, idempotency_key);
    RETURN 'ok';
EXCEPTION
    WHEN SQLSTATE 'TM001' OR SQLSTATE 'TM002' OR SQLSTATE 'TM004' THEN
        reason := CASE SQLSTATE WHEN 'TM001' THEN 'sold_out'
                                WHEN 'TM002' THEN 'insufficient_funds'
                                ELSE 'idempotency_key_reused' END;
        INSERT INTO stress_refusals VALUES (reason);
        RETURN reason;
END
$$;
