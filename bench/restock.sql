-- Before each purchase run: put every event back to :stock tickets, so that no run sells
-- out (a 409 is far cheaper than a sale and would flatter the figures), and record what was
-- added so that the invariants still balance. Runs between runs, with no load.
WITH low AS (
  SELECT id, tickets_left FROM events WHERE tickets_left < :stock FOR UPDATE
), logged AS (
  INSERT INTO bench.on_sale SELECT id, :stock - tickets_left FROM low
)
UPDATE events e SET tickets_left = :stock FROM low WHERE e.id = low.id;
