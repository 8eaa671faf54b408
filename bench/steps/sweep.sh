# The connection sweep: GET /events and hot purchases at each of BENCH_SWEEP's connection
# counts, shim and pgbench alternating, and GET /events from the control (steps/control.sh);
# at the largest count, GET /events without compression too, from both;
# and pgbench's hot purchases alone (sweep_pgbench_hot: its best client count is what the web
# process's hot purchases are compared with).

sweep_reads_and_purchases() {
  local c run
  control_start
  for c in "${sweep_conns[@]}"; do
    for ((run = 1; run <= runs; run++)); do
      scenario events "$c" "$sweep_duration" "$run"
      bare_events "$c" "$sweep_duration" "$run"
      if ((c == big_conns)); then
        shim_events_plain "$c" "$sweep_duration" "$run"
        bare_events_plain "$c" "$sweep_duration" "$run"
      fi
      scenario hot "$c" "$sweep_duration" "$run"
    done
  done
  control_stop
}

sweep_pgbench_hot() {
  local c run
  for c in "${sweep_conns[@]}"; do
    for ((run = 1; run <= runs; run++)); do pgbench_hot "$c" "$sweep_duration" "$run"; done
  done
}

# The chart: throughput and p99 by connections (bench/sweep.gp), from the medians.
sweep_chart() {
  local c s
  for c in "${sweep_conns[@]}"; do
    printf '%s' "$c"
    for s in events:shim events:pgbench hot:shim hot:pgbench; do
      printf ' %s' "$(figure "${s%:*}" "${s#*:}" "$c" rps median)"
    done
    for s in events:shim events:pgbench hot:shim hot:pgbench; do
      printf ' %s' "$(figure "${s%:*}" "${s#*:}" "$c" p99 median)"
    done
    echo
  done >"$out/sweep.dat"
  gnuplot -e "title='TicketMonster: shim vs pgbench, $(nproc) cores, WEB_CONCURRENCY=$WEB_CONCURRENCY'" \
    bench/sweep.gp
  cp "$out/sweep.png" bench/sweep.png
}
