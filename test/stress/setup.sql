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

-- Half of the small events limit each account to 5 tickets (max_tickets_per_account).
UPDATE events SET max_tickets_per_account = 5 WHERE id BETWEEN 52 AND 56;

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
    WHEN SQLSTATE 'TM001' OR SQLSTATE 'TM002' OR SQLSTATE 'TM004' OR SQLSTATE 'TM022' THEN
        reason := CASE SQLSTATE WHEN 'TM001' THEN 'sold_out'
                                WHEN 'TM002' THEN 'insufficient_funds'
                                WHEN 'TM022' THEN 'limit_exceeded'
                                ELSE 'idempotency_key_reused' END;
        INSERT INTO stress_refusals VALUES (reason);
        RETURN reason;
END
$$;

-- Cancelling and checking in, beside the purchases of the mix: the buyer cancels one of
-- their confirmed orders (another session may cancel it first, or have checked a ticket of
-- it in), and the door scans one ticket. Every refund is recorded, for invariants.sql.
CREATE UNLOGGED TABLE stress_refunds (order_id integer NOT NULL, amount bigint NOT NULL);

CREATE FUNCTION stress_cancel(username text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    picked integer;
    response jsonb;
BEGIN
    SELECT id INTO picked FROM orders o WHERE o.username = stress_cancel.username
        AND status = 'confirmed' ORDER BY random() LIMIT 1;
    IF picked IS NULL THEN
        RETURN 'nothing';
    END IF;
    response := tm_order_cancel(NULL, username, picked);
    INSERT INTO stress_refunds VALUES (picked, (response ->> 'refund')::bigint);
    RETURN 'cancelled';
EXCEPTION
    WHEN SQLSTATE 'TM024' OR SQLSTATE 'TM025' THEN
        INSERT INTO stress_refusals VALUES (CASE SQLSTATE WHEN 'TM024' THEN 'not_cancellable'
                                                          ELSE 'already_cancelled' END);
        RETURN 'refused';
END
$$;

CREATE FUNCTION stress_checkin(n integer) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM tm_checkin(NULL, jsonb_build_object('code',
        (SELECT code FROM tickets ORDER BY code OFFSET n LIMIT 1)));
    RETURN 'admitted';
EXCEPTION
    WHEN SQLSTATE 'TM026' OR SQLSTATE 'TM027' OR SQLSTATE '22023' THEN
        INSERT INTO stress_refusals VALUES (CASE SQLSTATE WHEN 'TM026' THEN 'already_checked_in'
                                                          WHEN 'TM027' THEN 'ticket_not_valid'
                                                          ELSE 'no_ticket_yet' END);
        RETURN 'refused';
END
$$;
