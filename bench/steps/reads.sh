# Public reads, each as shim_NAME and pgbench_NAME taking CONNS SECONDS RUN. GETs use 2 wrk
# threads (one per core).

# GET /events as browsers ask for it (gzip accepted), and from clients that take no
# compression (events_plain: the web process alone, pgbench's side is the same SQL).
shim_events() { run_wrk events "$1" "$2" "$3" "$(($1 < 2 ? $1 : 2))" events.lua; }
pgbench_events() { run_pgbench events "$1" "$2" "$3" -f bench/pgbench/events.sql; }
shim_events_plain() { run_wrk events_plain "$1" "$2" "$3" "$(($1 < 2 ? $1 : 2))" events-plain.lua; }

shim_event() {
  run_wrk event "$1" "$2" "$3" "$(($1 < 2 ? $1 : 2))" event.lua "$first_event" "$last_event"
}
pgbench_event() {
  run_pgbench event "$1" "$2" "$3" -D first_event="$first_event" -D last_event="$last_event" \
    -f bench/pgbench/event.sql
}

# GET /events (both ways) and GET /event/<id> at 32 connections, BENCH_RUNS times each.
reads_at_32() {
  local run
  for ((run = 1; run <= runs; run++)); do
    scenario events $main_conns "$duration" "$run"
    shim_events_plain $main_conns "$duration" "$run"
    scenario event $main_conns "$duration" "$run"
  done
}
