# The throwaway cluster (tools/pg-cluster: fsync off, as for the tests) and its durability.

cluster_start() {
  tools/pg-cluster destroy "$cluster"
  tools/pg-cluster start "$cluster" "$pgport"
  # 256 pgbench clients plus the web processes' own connections, which stay open meanwhile.
  sql -d postgres -c "ALTER SYSTEM SET max_connections = 1000"
  tools/pg-cluster stop "$cluster"
  tools/pg-cluster start "$cluster" "$pgport"
  durability=off
}

cluster_destroy() { tools/pg-cluster destroy "$cluster" || true; }

# cluster_durable: production durability from here on: every commit flushed to disk before it
# is acknowledged (fsync, synchronous_commit, full_page_writes: all reloadable). A checkpoint
# first, so that what fsync = off left unflushed is on disk before the measured runs.
cluster_durable() {
  sql -d postgres <<'SQL' >/dev/null
ALTER SYSTEM SET fsync = on;
ALTER SYSTEM SET synchronous_commit = on;
ALTER SYSTEM SET full_page_writes = on;
SELECT pg_reload_conf();
SQL
  # The reload reaches every backend at its next command; this waits for the postmaster's.
  local deadline=$((SECONDS + 60))
  until [[ $(sql -d postgres -c "SHOW fsync") == on ]]; do
    ((SECONDS < deadline)) || die "fsync is still off after the reload"
    sleep 0.1
  done
  sql -d postgres -c "CHECKPOINT"
  durability=on
}

# What the cluster runs with now, for the report.
cluster_settings() {
  sql -d postgres -c "SELECT string_agg(name || ' = ' || setting, ', ' ORDER BY name) FROM pg_settings
    WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'wal_sync_method')"
}
