# Staleness after a committed purchase on two web processes while purchases run: a second
# web process B on its own port, purchases of the 50 bench events by wrk (16 connections),
# and bench/staleness.mjs buying the probe event (an event of its own, which nothing else
# buys) through the first, A, and timing its new count on B. Twice, with the purchase load
# placed differently:
# - "a": all through A. B only reads, so what it serves from memory is refreshed by nothing
#   but the database's notifications and its age bound: the cache's own staleness.
# - "both": 8 connections through each. A web process drops its stored answers when its own
#   writes succeed, so B's cache is emptied by its own purchases too: an on-sale as it runs.

staleness_two_processes() {
  local placement
  probe_event=$(dataset_add_event 1)
  # The last bench user: the purchase loads use the first ones.
  IFS=$'\t' read -r probe_user probe_token < <(tail -1 "$out/tokens.tsv")
  shim_start second "$second_port"
  for placement in a both; do staleness_with_load "$placement"; done
  shim_stop second
}

# staleness_with_load a|both: one probe run under purchases placed as above.
staleness_with_load() {
  local placement=$1 load_pids=() name port conns line which
  restock
  busy_before=$(outside_load)
  for name in first second; do
    port=$([[ $name == first ]] && echo "$http_port" || echo "$second_port")
    conns=8
    [[ $placement == a ]] && conns=$([[ $name == first ]] && echo 16 || echo 0)
    ((conns > 0)) || continue
    BENCH_TOKENS=$out/tokens.tsv wrk -t "$conns" -c "$conns" -d 600s --timeout 10s -s bench/wrk/order.lua \
      "http://127.0.0.1:$port/" -- spread "$first_event" "$last_event" \
      >"$out/raw/staleness-$placement-load-$name.txt" 2>&1 &
    load_pids+=($!)
  done
  node bench/staleness.mjs "http://127.0.0.1:$http_port" "http://127.0.0.1:$second_port" \
    "$probe_event" "$probe_user" "$probe_token" "$staleness_samples" >"$out/staleness-$placement.txt" ||
    die "the staleness probe failed: $(tail -3 "$out/staleness-$placement.txt")"
  # wrk stops on SIGINT and still reports (bench/wrk/report.lua).
  kill -INT "${load_pids[@]}"
  wait "${load_pids[@]}" || true
  for name in first second; do
    [[ -f $out/raw/staleness-$placement-load-$name.txt ]] || continue
    wrk_record "staleness_${placement}_load_$name" load 1 "$out/raw/staleness-$placement-load-$name.txt"
  done
  for which in event events; do
    line=$(grep "^STALENESS path=$which " "$out/staleness-$placement.txt")
    record "staleness_${placement}_$which" probe 1 1 "$(field n "$line")" "$(field p50_ms "$line")" \
      "$(field p99_ms "$line")" "$(field timeouts "$line")"
    # Beside results.tsv's figures: samples, maximum, and the bracket's lower side (staleness.mjs).
    printf '%s %s %s %s\n' "$(field n "$line")" "$(field max_ms "$line")" "$(field sent_p50_ms "$line")" \
      "$(field sent_p99_ms "$line")" >"$out/staleness-extra-${placement}_$which.txt"
    log "staleness, purchases through $placement ($which): $line"
  done
}
