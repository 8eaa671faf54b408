-- The contract's invariants after the purchase scenarios; one row per violation.
WITH sold AS (
  SELECT e.id, e.tickets_left,
         coalesce((SELECT sum(tickets_bought) FROM orders o WHERE o.event_id = e.id), 0) AS sold,
         (SELECT sum(tickets) FROM bench.on_sale s WHERE s.event_id = e.id) AS on_sale
  FROM events e
), spent AS (
  SELECT a.username, a.available_money, m.money AS initial,
         coalesce((SELECT sum(o.tickets_bought::bigint * o.price) FROM orders o
                   WHERE o.username = a.username), 0) AS orders_value
  FROM accounts a JOIN bench.initial_money m USING (username)
)
SELECT format('event %s: sold %s + left %s <> on sale %s', id, sold, tickets_left, on_sale)
FROM sold WHERE sold + tickets_left <> on_sale
UNION ALL
SELECT format('account %s: initial %s - balance %s <> orders %s',
              username, initial, available_money, orders_value)
FROM spent WHERE initial - available_money <> orders_value
UNION ALL
SELECT format('event %s: %s tickets left', id, tickets_left) FROM events WHERE tickets_left < 0
UNION ALL
SELECT format('account %s: balance %s', username, available_money) FROM accounts
WHERE available_money < 0
UNION ALL
SELECT format('order %s: %s tickets at %s', id, tickets_bought, price) FROM orders
WHERE tickets_bought < 1 OR price < 0;
