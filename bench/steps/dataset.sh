# The bench database: the extension, the fixed dataset, restocking between purchase runs, and
# the invariants checked at the end.

# The web processes' login role gets ticketmonster_web only, as in a deployment.
# password_cost = 1 makes creating and logging in 1,000 users take seconds; no scenario
# hashes a password except the logins beside reads, whose users have the default cost.
dataset_create() {
  sql -d postgres -c "CREATE DATABASE $db"
  sql -d "$db" <<SQL
CREATE ROLE $role LOGIN PASSWORD '$role_password';
CREATE EXTENSION ticketmonster;
GRANT ticketmonster_web TO $role;
ALTER DATABASE $db SET ticketmonster.password_cost = 1;
ALTER DATABASE $db SET ticketmonster.signups_per_hour = 0;
SQL
  sql -d "$db" -v secret_key="$secret_key" -v events="$n_events" -v users="$n_users" \
    -v stock="$stock" -v money="$money" -f bench/dataset.sql >"$out/dataset.log"
  # pgbench, connected as the shim's role, reads its client's token from here.
  sql -d "$db" -c "GRANT USAGE ON SCHEMA bench TO $role; GRANT SELECT ON bench.tokens TO $role"
  sql -d "$db" -c "COPY (SELECT username, token FROM bench.tokens ORDER BY slot) TO STDOUT" \
    >"$out/tokens.tsv"
  first_event=$(sql -d "$db" -c "SELECT min(id) FROM bench.events")
  last_event=$(sql -d "$db" -c "SELECT max(id) FROM bench.events")
  hot_event=$(sql -d "$db" -c "SELECT id FROM bench.events WHERE slot = 1")
  ((last_event - first_event + 1 == n_events)) || die "event ids are not contiguous"
  write_order_scripts
}

# One pgbench purchase script per event, bodies bound as -D variables (bench/pgbench/order.sql.in).
write_order_scripts() {
  local id
  for ((id = first_event; id <= last_event; id++)); do
    sed "s/@EVENT@/$id/g" bench/pgbench/order.sql.in >"$out/pgbench/order-$id.sql"
  done
}

# dataset_add_event SLOT: one more event like the others, outside the purchase scenarios'
# range (the staleness probe's own); prints its id.
dataset_add_event() {
  sql -d "$db" <<SQL
WITH e AS (
  SELECT (tm_event_create(NULL, jsonb_build_object('name', 'Bench probe event $1', 'place', 'Probe hall',
           'city', 'Probe city', 'date', date '2031-01-01', 'price', 1,
           'total_available_tickets', $stock)) -> 'event' ->> 'id')::integer AS id
), s AS (INSERT INTO bench.on_sale SELECT id, $stock FROM e)
SELECT id FROM e;
SQL
}

# dataset_login_users N: N users whose passwords have the extension's default cost, so that
# each login hashes as in production; their names and password in $out/login-users.tsv.
dataset_login_users() {
  sql -d "$db" <<SQL >/dev/null
-- The extension's own default, not the database's 1 (which SET ... TO DEFAULT would give).
LOAD 'ticketmonster';
SELECT set_config(name, boot_val, false) FROM pg_settings WHERE name = 'ticketmonster.password_cost';
SELECT count(tm_account_create(jsonb_build_object('username', format('login%s', i),
       'password', 'login-password'))) FROM generate_series(1, $1) AS i;
INSERT INTO bench.initial_money SELECT username, available_money FROM accounts
WHERE username LIKE 'login%';
SQL
  sql -d "$db" -c "SELECT format('login%s', i) || E'\tlogin-password' FROM generate_series(1, $1) AS i" \
    >"$out/login-users.tsv"
}

# Before each purchase run: tickets back on the shelves, and the tables vacuumed as pgbench
# does before its runs, so that autovacuum rarely lands in the middle of a measurement.
restock() {
  sql -d "$db" -v stock="$stock" -f bench/restock.sql >/dev/null
  sql -d "$db" -c "VACUUM ANALYZE events, accounts, orders, tickets"
}

# After every purchase of the bench: per event sold + left = put on sale, per account initial
# money - balance = value of its orders, nothing negative (bench/invariants.sql).
check_invariants() {
  sql -d "$db" -f bench/invariants.sql >"$out/violations.txt"
  violations=$(grep -c . "$out/violations.txt" || true)
  orders_summary=$(sql -d "$db" -c "SELECT format('%s orders, %s tickets sold', count(*), coalesce(sum(tickets_bought), 0)) FROM orders")
  log "invariants: $orders_summary, $violations violations"
}
