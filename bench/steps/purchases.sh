# Purchases, each as shim_NAME and pgbench_NAME taking CONNS SECONDS RUN; restocked before
# each run. One wrk thread per connection (each connection buys as its own user). Recorded
# as hot / spread with fsync off, hot_durable / spread_durable once cluster_durable ran.

purchase_scenario() { [[ $durability == on ]] && echo "${1}_durable" || echo "$1"; }

# pgbench's -D and -f arguments for purchases of the given events (one script per event).
order_args() {
  local id
  echo "-D have_token=0"
  for id in "$@"; do
    echo "-D body_$id={\"event_id\":$id,\"tickets_bought\":1}"
    echo "-f $out/pgbench/order-$id.sql@1"
  done
}

shim_hot() {
  restock
  run_wrk "$(purchase_scenario hot)" "$1" "$2" "$3" "$1" order.lua hot "$hot_event"
}
pgbench_hot() {
  restock
  # shellcheck disable=SC2046 # one word per line on purpose
  run_pgbench "$(purchase_scenario hot)" "$1" "$2" "$3" $(order_args "$hot_event")
}

shim_spread() {
  restock
  run_wrk "$(purchase_scenario spread)" "$1" "$2" "$3" "$1" order.lua spread "$first_event" "$last_event"
}
pgbench_spread() {
  restock
  # shellcheck disable=SC2046
  run_pgbench "$(purchase_scenario spread)" "$1" "$2" "$3" $(order_args $(seq "$first_event" "$last_event"))
}

# Hot and spread purchases at 32 connections, BENCH_RUNS times each.
purchases_at_32() {
  local run
  for ((run = 1; run <= runs; run++)); do
    scenario hot $main_conns "$duration" "$run"
    scenario spread $main_conns "$duration" "$run"
  done
}
