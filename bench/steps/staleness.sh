# Staleness after a committed purchase on two web processes while purchases run: a second
# web process on its own port, purchases of the 50 bench events through both (wrk, 8
# connections each), and bench/staleness.mjs buying the probe event (an event of its own,
# which nothing else buys) through the first and timing its new count on the second.

staleness_two_processes() {
  local probe_event probe_user probe_token load_pids=() name port line which
  probe_event=$(dataset_add_event 1)
  # The last bench user: the purchase loads use the first ones.
  IFS=$'\t' read -r probe_user probe_token < <(tail -1 "$out/tokens.tsv")
  shim_start second "$second_port"
  restock
  busy_before=$(outside_load)
  for name in first second; do
    port=$([[ $name == first ]] && echo "$http_port" || echo "$second_port")
    BENCH_TOKENS=$out/tokens.tsv wrk -t 8 -c 8 -d 600s --timeout 10s -s bench/wrk/order.lua \
      "http://127.0.0.1:$port/" -- spread "$first_event" "$last_event" \
      >"$out/raw/staleness-load-$name.txt" 2>&1 &
    load_pids+=($!)
  done
  node bench/staleness.mjs "http://127.0.0.1:$http_port" "http://127.0.0.1:$second_port" \
    "$probe_event" "$probe_user" "$probe_token" "$staleness_samples" >"$out/staleness.txt" ||
    die "the staleness probe failed: $(tail -3 "$out/staleness.txt")"
  # wrk stops on SIGINT and still reports (bench/wrk/report.lua).
  kill -INT "${load_pids[@]}"
  wait "${load_pids[@]}" || true
  for name in first second; do wrk_record "staleness_load_$name" 8 1 "$out/raw/staleness-load-$name.txt"; done
  for which in event events; do
    line=$(grep "^STALENESS path=$which " "$out/staleness.txt")
    record "staleness_$which" probe 1 1 "$(field n "$line")" "$(field p50_ms "$line")" \
      "$(field p99_ms "$line")" "$(field timeouts "$line")"
    # Beside results.tsv's figures: samples, maximum, and the bracket's lower side (staleness.mjs).
    printf '%s %s %s %s\n' "$(field n "$line")" "$(field max_ms "$line")" "$(field sent_p50_ms "$line")" \
      "$(field sent_p99_ms "$line")" \
      >"$out/staleness-extra-$which.txt"
    log "staleness ($which): $line"
  done
  shim_stop second
}
