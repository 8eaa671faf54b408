-- Prints one line per violation of the rules for buying; no output means they all hold.

-- Tickets sold plus tickets left is what was put on sale (no event was deleted).
SELECT format('event %s: %s sold + %s left = %s, but %s were put on sale',
              s.id, coalesce(o.sold, 0), e.tickets_left,
              coalesce(o.sold, 0) + e.tickets_left, s.initial)
FROM stress_stock s
LEFT JOIN events e ON e.id = s.id
LEFT JOIN (SELECT event_id, sum(tickets_bought) AS sold FROM orders GROUP BY event_id) o
       ON o.event_id = s.id
WHERE e.id IS NULL OR coalesce(o.sold, 0) + e.tickets_left <> s.initial;

-- What an account spent is what its orders cost.
SELECT format('account %s: spent %s, but its orders cost %s',
              b.username, b.initial - a.available_money, coalesce(o.cost, 0))
FROM stress_budget b
LEFT JOIN accounts a ON a.username = b.username
LEFT JOIN (SELECT username, sum(tickets_bought::bigint * price) AS cost
           FROM orders GROUP BY username) o ON o.username = b.username
WHERE a.username IS NULL OR b.initial - a.available_money <> coalesce(o.cost, 0);

-- Nothing negative, and every order at the price of its event (no price changed).
SELECT format('event %s has %s tickets left', id, tickets_left) FROM events WHERE tickets_left < 0;
SELECT format('account %s has %s money', username, available_money)
FROM accounts WHERE available_money < 0;
SELECT format('order %s: %s tickets at %s, the event costs %s', o.id, o.tickets_bought, o.price, s.price)
FROM orders o JOIN stress_stock s ON s.id = o.event_id
WHERE o.tickets_bought < 1 OR o.price <> s.price;

-- A committed Idempotency-Key holds the response, and the orders it names are its user's.
SELECT format('idempotency key %s of %s has no response', key, username)
FROM idempotency_keys WHERE response = 'null';
SELECT format('idempotency key %s of %s names order %s, which is not theirs', k.key, k.username, r.id)
FROM idempotency_keys k, jsonb_path_query(k.response, '$.*.id') AS r(id)
WHERE NOT EXISTS (SELECT FROM orders o WHERE o.id = r.id::int AND o.username = k.username);
