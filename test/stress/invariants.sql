-- Prints one line per violation of the rules for buying; no output means they all hold.
-- Sold means the orders still confirmed: cancelled ones gave their tickets and money back.

-- Tickets sold plus tickets left is what was put on sale (no event was deleted), and the
-- event's own count of what it sold agrees.
SELECT format('event %s: %s sold + %s left = %s, but %s were put on sale (it counts %s sold)',
              s.id, coalesce(o.sold, 0), e.tickets_left,
              coalesce(o.sold, 0) + e.tickets_left, s.initial, e.tickets_sold)
FROM stress_stock s
LEFT JOIN events e ON e.id = s.id
LEFT JOIN (SELECT event_id, sum(tickets_bought) AS sold FROM orders WHERE status = 'confirmed'
           GROUP BY event_id) o ON o.event_id = s.id
WHERE e.id IS NULL OR coalesce(o.sold, 0) + e.tickets_left <> s.initial
   OR e.tickets_sold <> coalesce(o.sold, 0);

-- What an account spent is what its confirmed orders cost.
SELECT format('account %s: spent %s, but its orders cost %s',
              b.username, b.initial - a.available_money, coalesce(o.cost, 0))
FROM stress_budget b
LEFT JOIN accounts a ON a.username = b.username
LEFT JOIN (SELECT username, sum(tickets_bought::bigint * price) AS cost
           FROM orders WHERE status = 'confirmed' GROUP BY username) o ON o.username = b.username
WHERE a.username IS NULL OR b.initial - a.available_money <> coalesce(o.cost, 0);

-- Tickets issued = tickets sold: every order has exactly tickets_bought tickets.
SELECT format('order %s: %s tickets bought, %s issued', o.id, o.tickets_bought, count(t.code))
FROM orders o LEFT JOIN tickets t ON t.order_id = o.id
GROUP BY o.id, o.tickets_bought HAVING count(t.code) <> o.tickets_bought;

-- Refunded money = the value of the cancelled orders, each refunded once.
SELECT format('refunds: %s paid back, the cancelled orders were worth %s', r.paid, c.worth)
FROM (SELECT coalesce(sum(amount), 0) AS paid FROM stress_refunds) r,
     (SELECT coalesce(sum(tickets_bought::bigint * price), 0) AS worth FROM orders
      WHERE status = 'cancelled') c
WHERE r.paid <> c.worth;
SELECT format('order %s was refunded %s times', order_id, count(*))
FROM stress_refunds GROUP BY order_id HAVING count(*) > 1;

-- Never a cancelled order with a checked-in ticket; never above an event's per-account limit.
SELECT format('ticket %s was checked in, but its order %s is %s', t.code, o.id, o.status)
FROM tickets t JOIN orders o ON o.id = t.order_id
WHERE t.checked_in_at IS NOT NULL AND o.status <> 'confirmed';
SELECT format('%s holds %s tickets of event %s, limited to %s', o.username, sum(o.tickets_bought),
              e.id, e.max_tickets_per_account)
FROM orders o JOIN events e ON e.id = o.event_id
WHERE o.status = 'confirmed' AND e.max_tickets_per_account IS NOT NULL
GROUP BY o.username, e.id, e.max_tickets_per_account
HAVING sum(o.tickets_bought) > e.max_tickets_per_account;

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
