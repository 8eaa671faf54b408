# bench/RESULTS.md from results.tsv and the steps' figures. A step left out (BENCH_SKIP)
# shows as n/a, and its targets as missed.

# One row: label, then shim and pgbench figures of SCENARIO at CONNS, and their ratio.
compare_row() {
  local s=$1 label=$2 c=$3
  printf '| %s | %s / %s | %s / %s | %s | %s / %s | %s / %s | %s / %s |\n' "$label" \
    "$(figure "$s" shim "$c" rps min)" "$(figure "$s" shim "$c" rps median)" \
    "$(figure "$s" pgbench "$c" rps min)" "$(figure "$s" pgbench "$c" rps median)" \
    "$(ratio "$(figure "$s" shim "$c" rps median)" "$(figure "$s" pgbench "$c" rps median)")" \
    "$(figure "$s" shim "$c" p99 min)" "$(figure "$s" shim "$c" p99 median)" \
    "$(figure "$s" pgbench "$c" p99 min)" "$(figure "$s" pgbench "$c" p99 median)" \
    "$(figure "$s" shim "$c" errors sum)" "$(figure "$s" pgbench "$c" errors sum)"
}

compare_header() {
  echo '| scenario | web req/s min / median | pgbench tps min / median | web / pgbench | web p99 ms min / median | pgbench p99 ms min / median | errors web / pgbench |'
  echo '|---|---|---|---|---|---|---|'
}

# One row of a web-process-only figure: LABEL SCENARIO TOOL CONNS.
alone_row() {
  printf '| %s | %s / %s | %s | %s / %s / %s | %s |\n' "$1" \
    "$(figure "$2" "$3" "$4" rps min)" "$(figure "$2" "$3" "$4" rps median)" \
    "$(figure "$2" "$3" "$4" p50 median)" \
    "$(figure "$2" "$3" "$4" p99 min)" "$(figure "$2" "$3" "$4" p99 median)" "$(figure "$2" "$3" "$4" p99 max)" \
    "$(figure "$2" "$3" "$4" errors sum)"
}

alone_header() {
  echo '| scenario | req/s min / median | p50 ms median | p99 ms min / median / max | errors |'
  echo '|---|---|---|---|---|'
}

# target_row LABEL FIGURE VERDICT-COMMAND...
target_row() {
  local label=$1 fig=$2
  shift 2
  printf '| %s | %s | %s |\n' "$label" "$fig" "$(verdict "$@")"
}

# The largest p99 of the staleness runs, or n/a if one is missing.
worst_staleness_p99() {
  local worst=0 p placement which
  for placement in a both; do
    for which in event events; do
      p=$(figure "staleness_${placement}_$which" probe 1 p99 median)
      [[ $p == n/a ]] && { echo n/a; return; }
      at_least "$p" "$worst" && worst=$p
    done
  done
  echo "$worst"
}

max_sweep() { printf '%s\n' "${sweep_conns[@]}" | sort -n | tail -1; }

targets_section() {
  local ev_ratio p99_32 p99_256 st_worst ev_log hz_log best best_c hot hot_ratio
  local best_d best_dc hot_d hot_d_ratio rss_mb spread plain_ratio plain_32 plain_256
  ev_ratio=$(ratio "$(figure events shim $main_conns rps median)" "$(figure events pgbench $main_conns rps median)")
  p99_32=$(figure events shim $main_conns p99 median)
  p99_256=$(figure events shim $big_conns p99 median)
  plain_ratio=$(ratio "$(figure events_plain shim $main_conns rps median)" "$(figure events pgbench $main_conns rps median)")
  plain_32=$(figure events_plain shim $main_conns p99 median)
  plain_256=$(figure events_plain shim $big_conns p99 median)
  st_worst=$(worst_staleness_p99)
  ev_log=$(figure events_logins shim $main_conns p99 median)
  hz_log=$(figure healthz_logins shim $main_conns p99 median)
  read -r best best_c < <(best_over_sweep hot pgbench)
  hot=$(figure hot shim $main_conns rps median)
  hot_ratio=$(ratio "$hot" "$best")
  read -r best_d best_dc < <(best_over_sweep hot_durable pgbench)
  hot_d=$(figure hot_durable shim $main_conns rps median)
  hot_d_ratio=$(ratio "$hot_d" "$best_d")
  spread=$(figure spread shim $main_conns rps median)
  rss_mb=n/a
  [[ -n ${rss_sum_kb:-} ]] && rss_mb=$(awk -v k="$rss_sum_kb" 'BEGIN {printf "%.1f", k / 1024}')
  echo '## Targets (issue 14)'
  echo
  echo 'Medians of the runs. "pgbench" sends the web process'"'"'s SQL straight to PostgreSQL, in the'
  echo 'same run, alternating with it. GET /events is asked for as browsers ask (Accept-Encoding:'
  echo 'gzip, so the catalogue travels compressed); the rows under "Kept from earlier rounds" hold'
  echo 'the same targets for clients that take no compression, as every run measured it before.'
  echo
  echo '| target | figure | |'
  echo '|---|---|---|'
  target_row "GET /events >= 10x pgbench's rate for the same SQL ($main_conns connections)" \
    "$ev_ratio x ($(figure events shim $main_conns rps median) req/s vs $(figure events pgbench $main_conns rps median) tps)" \
    at_least "$ev_ratio" 10
  target_row "GET /events p99 <= 10 ms at $main_conns connections" "$p99_32 ms" at_most "$p99_32" 10
  target_row "GET /events p99 <= 10 ms at $big_conns connections (sweep)" \
    "$p99_256 ms (libmicrohttpd alone, the same bytes: $(figure events bare $big_conns p99 median) ms)" \
    at_most "$p99_256" 10
  target_row "staleness after a committed purchase, two web processes, purchases running: p99 <= 100 ms" \
    "$st_worst ms, the worst of GET /event/&lt;id&gt; and GET /events, purchases through A or both" \
    at_most "$st_worst" 100
  target_row "$login_clients clients logging in: GET /events p99 <= 20 ms" "$ev_log ms" at_most "$ev_log" 20
  target_row "$login_clients clients logging in: GET /healthz p99 <= 20 ms" "$hz_log ms" at_most "$hz_log" 20
  target_row "hot purchases ($main_conns connections) >= 1.0x pgbench's best over its sweep (and its $main_conns-client runs), fsync off" \
    "$hot_ratio x ($hot req/s vs $best tps at ${best_c:-?} clients)" at_least "$hot_ratio" 1.0
  target_row "the same with fsync, synchronous_commit and full_page_writes on" \
    "$hot_d_ratio x ($hot_d req/s vs $best_d tps at ${best_dc:-?} clients)" at_least "$hot_d_ratio" 1.0
  target_row "web process peak RSS <= 20 MB after $(max_sweep) connections" "$rss_mb MB" at_most "$rss_mb" 20
  echo
  echo 'Kept from earlier rounds:'
  echo
  echo '| target | figure | |'
  echo '|---|---|---|'
  target_row "GET /events without compression >= 10x pgbench's rate ($main_conns connections)" \
    "$plain_ratio x ($(figure events_plain shim $main_conns rps median) req/s)" at_least "$plain_ratio" 10
  target_row "GET /events without compression: p99 <= 10 ms at $main_conns connections" "$plain_32 ms" \
    at_most "$plain_32" 10
  target_row "GET /events without compression: p99 <= 10 ms at $big_conns connections (sweep)" \
    "$plain_256 ms (libmicrohttpd alone, the same bytes: $(figure events_plain bare $big_conns p99 median) ms)" \
    at_most "$plain_256" 10
  target_row "spread purchases >= hot purchases (web process, fsync off)" "$spread vs $hot req/s" \
    at_least "$spread" "$hot"
  target_row "cold start <= 100 ms (median of $coldstarts)" "${coldstart_median:-n/a} ms" \
    at_most "${coldstart_median:-n/a}" 100
  target_row "invariants after every purchase of the bench" "${violations:-n/a} violations" \
    test "${violations:-1}" -eq 0
  echo
  echo "With $main_conns connections always busy, the mean latency is $main_conns / rate (Little's law):" \
    "$(awk -v c=$main_conns -v r="$(figure events shim $main_conns rps median)" 'BEGIN {if (r > 0) printf "%.1f", c / r * 1000; else print "n/a"}') ms" \
    "for GET /events at its measured rate; pgbench's own p99 there is $(figure events pgbench $main_conns p99 median) ms."
}

machine_section() {
  cat <<EOF
## Machine

| | |
|---|---|
| CPU | $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1) |
| memory | $(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) |
| kernel | $(uname -sr) |
| PostgreSQL | $("$bindir/postgres" --version) |
| pgbench | $("$bindir/pgbench" --version) |
| wrk | $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2) |
| node | $(node --version) |
| libmicrohttpd | $(pkg-config --modversion libmicrohttpd 2>/dev/null || echo '?') |
| load average at start | $load_at_start (the machine is shared: read ratios, not absolute rates) |
| CPU busy with other work before each run | $(cut -f9 "$out/results.tsv" | sort -g | awk '{v[NR] = $1} END {printf "min %s%%, median %s%%, max %s%%", v[1], v[int((NR + 1) / 2)], v[NR]}') (per run in bench/last-run/results.tsv) |
EOF
}

setup_section() {
  cat <<EOF
## Setup

- A throwaway cluster (tools/pg-cluster: fsync and full_page_writes off, as for the tests;
  max_connections raised to 1000 for 256 pgbench clients), database \`$db\` with the
  extension; the web processes connect as \`$role\` (LOGIN, granted ticketmonster_web
  only), over TCP on 127.0.0.1 like pgbench. The purchase scenarios run twice: with that
  cluster, then after \`ALTER SYSTEM\` turned fsync, synchronous_commit and full_page_writes
  on (${durable_settings:-not run}).
- Dataset (bench/dataset.sql, built through the API as the admin console): $n_events events
  with 2 artists each, $n_users users each with a login token, $stock tickets per event;
  the hot event is priced 1. Balances raised to $money by a direct UPDATE (bench data only),
  then a history of ten orders per user (10,000), so that no statement is first planned
  on empty orders and tickets tables.
  \`ticketmonster.password_cost = 1\` on the bench database, only so that creating and
  logging in the users is fast; the $login_clients users of the logins scenario have the
  default cost, so each of their logins hashes as in production.
- Before each purchase run every event is restocked to $stock tickets (recorded, so the
  invariants still balance), so that no run sells out and every purchase is a real sale;
  then \`VACUUM ANALYZE\` of the tables purchases write, as pgbench does before its runs.
- Web process and pgbench run back to back, the web process first in odd runs and second in
  even ones.
- Web process: WEB_CONCURRENCY=$WEB_CONCURRENCY, MAX_CONNECTIONS_PER_ADDRESS=300,
  PASSWORD_REQUESTS_PER_ADDRESS=$login_clients (the load comes from one address), request
  log to /dev/null. wrk: --timeout 10s, 2 threads for GETs, one thread per connection for
  purchases (each connection buys as its own user). pgbench: -M prepared, -j 2, the web
  process's SQL (bench/pgbench/), each client its own user's token. Runs of $duration s at
  $main_conns connections, $sweep_duration s in the sweep.
EOF
}

at_32_section() {
  echo "## At $main_conns connections, fsync off"
  echo
  compare_header
  compare_row events 'GET /events (gzip accepted)' $main_conns
  compare_row event 'GET /event/&lt;id&gt;' $main_conns
  compare_row hot 'POST /orders, hot event' $main_conns
  compare_row spread "POST /orders, spread over $n_events events" $main_conns
  cat <<EOF

"errors" counts non-2xx responses and socket errors (wrk) and failed transactions (pgbench),
summed over the runs.

Outside load leans the comparison towards pgbench: the kernel shares the cores per runnable
thread, and pgbench's side has one backend per client ($main_conns here) where the web
process's side has WEB_CONCURRENCY=$WEB_CONCURRENCY backends, as many threads and wrk's.
Compare runs with a similar load (per run in bench/last-run/results.tsv).
EOF
}

durable_section() {
  local c
  echo '## Purchases with production durability'
  echo
  echo 'fsync, synchronous_commit and full_page_writes on: every acknowledged purchase is flushed'
  echo 'to disk first. Same scenarios as above, after the runs with fsync off.'
  echo
  compare_header
  compare_row hot_durable 'POST /orders, hot event' $main_conns
  compare_row spread_durable "POST /orders, spread over $n_events events" $main_conns
  for c in "${sweep_conns[@]}"; do compare_row hot_durable "hot purchase, pgbench alone, $c" "$c"; done
  echo
  echo "pgbench's best over the sweep (tps, clients): $(best_over_sweep hot_durable pgbench);" \
    "with fsync off: $(best_over_sweep hot pgbench)."
}

# Hot purchases, each side at its own best connection count: the same statistic for both.
hot_best_line() {
  local web web_c pg pg_c
  read -r web web_c < <(best_over_sweep hot shim)
  read -r pg pg_c < <(best_over_sweep hot pgbench)
  echo
  echo "Hot purchases, each at its best over the sweep: the web process $web req/s" \
    "(${web_c:-?} connections), pgbench $pg tps (${pg_c:-?} clients): $(ratio "$web" "$pg")x."
}

sweep_section() {
  local c
  echo '## Connection sweep, fsync off'
  echo
  echo '![throughput and p99 by connections](sweep.png)'
  echo
  compare_header
  for c in "${sweep_conns[@]}"; do compare_row events "GET /events, $c" "$c"; done
  for c in "${sweep_conns[@]}"; do compare_row hot "hot purchase, $c" "$c"; done
  hot_best_line
  cat <<EOF

Hot purchases all lock the same event row, so pgbench with many clients is not the ceiling:
its clients queue on that lock. The web process runs the purchases that wait together as one
transaction (group commit, docs/caching.md), one batch at a time per event, and writes each
buyer's and each event's row once per batch. The target compares with pgbench's best client
count.

The control: libmicrohttpd alone (bench/control/bare_mhd.c) answering every request with the
bytes of GET /events from memory, configured like the web process, measured by the same wrk
right after it. It is what this machine, wrk and the library do without any of the web
process's work, so the web process's p99 cannot be expected much below it.

EOF
  alone_header
  for c in "${sweep_conns[@]}"; do
    alone_row "GET /events, web process, $c" events shim "$c"
    alone_row "the same bytes, libmicrohttpd alone, $c" events bare "$c"
  done
  alone_row "GET /events, no compression, web process, $big_conns" events_plain shim $big_conns
  alone_row "the same bytes, libmicrohttpd alone, $big_conns" events_plain bare $big_conns
}

logins_section() {
  cat <<EOF
## Logins beside reads

$login_clients wrk connections logging in continuously (POST /login, default password cost)
while another wrk measures GET /events, then GET /healthz, at $main_conns connections; the
rows without logins are GET /healthz measured just before and GET /events from the runs at
$main_conns connections above (same web process).

EOF
  alone_header
  alone_row "GET /healthz, no logins" healthz shim $main_conns
  alone_row "GET /healthz, $login_clients clients logging in" healthz_logins shim $main_conns
  alone_row "GET /events, no logins" events shim $main_conns
  alone_row "GET /events, $login_clients clients logging in" events_logins shim $main_conns
  alone_row "POST /login itself ($login_clients connections)" logins shim "$login_clients"
}

staleness_section() {
  local placement which label n max sent50 sent99
  cat <<EOF
## Staleness across two web processes

bench/staleness.mjs: $staleness_samples purchases of a probe event through web process A, each
followed by polling web process B (GET /event/&lt;id&gt; and GET /events side by side, keep-alive,
requests sent only after the purchase's 201) until B shows the new count. A sample is the time
from A's acknowledgement to B's first answer showing it, that answer's own latency included.
Meanwhile wrk buys tickets of the $n_events bench events (16 connections): first all through A,
so that B only reads and its stored answers age undisturbed (the cache's own staleness); then
8 connections through each, so that B's own purchases drop its stored answers too. Samples
over 5 s count as timeouts (and as 5 s).

The last two columns are the bracket's lower side: from the acknowledgement to the sending
of the GET that showed the new count (the count became visible in between). They matter
when GETs are slow, e.g. without a cache on a loaded machine.

| purchases through | read on B | samples | p50 ms | p99 ms | max ms | timeouts | to the GET's sending: p50 ms | p99 ms | purchases meanwhile, req/s through A / B (errors) |
|---|---|---|---|---|---|---|---|---|---|
EOF
  for placement in a both; do
    for which in event events; do
      label=/events
      [[ $which == event ]] && label='/event/&lt;id&gt;'
      read -r n max sent50 sent99 < <(cat "$out/staleness-extra-${placement}_$which.txt" 2>/dev/null || echo n/a n/a n/a n/a)
      printf '| %s | GET %s | %s | %s | %s | %s | %s | %s | %s | %s / %s (%s) |\n' \
        "$([[ $placement == a ]] && echo 'A only' || echo 'A and B')" "$label" \
        "$n" "$(figure "staleness_${placement}_$which" probe 1 p50 median)" \
        "$(figure "staleness_${placement}_$which" probe 1 p99 median)" "$max" \
        "$(figure "staleness_${placement}_$which" probe 1 errors sum)" "$sent50" "$sent99" \
        "$(figure "staleness_${placement}_load_first" shim load rps median)" \
        "$(figure "staleness_${placement}_load_second" shim load rps median)" \
        "$(($(figure "staleness_${placement}_load_first" shim load errors sum | sed 's/n.a/0/') + $(figure "staleness_${placement}_load_second" shim load errors sum | sed 's/n.a/0/')))"
    done
  done
  echo
  echo "Samples in bench/last-run/staleness-a.txt and staleness-both.txt."
}

memory_section() {
  cat <<EOF
## Memory and cold start

- Peak RSS (VmHWM) of the first web process after the reads, purchases and sweep, whose top
  is $(max_sweep) connections: $((${rss_sum_kb:-0} / 1024)) MB over ${rss_procs:-0} process(es), the largest
  $((${rss_max_kb:-0} / 1024)) MB (measured before the logins and staleness steps).
- Cold start, process start to the first 200 of GET /events: min ${coldstart_min:-n/a} ms,
  median ${coldstart_median:-n/a} ms over $coldstarts starts (bench/coldstart.mjs).

## Invariants

After all the purchases of the bench (both durabilities, the staleness step's): per event
sold + left = put on sale, per account initial money - balance = value of its orders,
nothing negative (bench/invariants.sql). ${orders_summary:-n/a}; **${violations:-n/a} violations**.
EOF
  if [[ -s $out/violations.txt ]]; then
    echo
    echo '```'
    head -20 "$out/violations.txt"
    echo '```'
  fi
}

profile_section() {
  if [[ -z ${profile_total:-} ]]; then
    printf '## Profile\n\nNot run (BENCH_SKIP).\n'
    return
  fi
  cat <<EOF
## Profile

The web process (WEB_CONCURRENCY=1) under \`valgrind --tool=callgrind\` for $profile_requests
GET /events on one keep-alive connection ($profile_ok answered 200), counters zeroed after
start-up: $(awk -v t="$profile_total" -v n="$profile_requests" 'BEGIN {printf "%.0f", t / n}')
instructions per request in the web process. Top functions by instructions, exclusive
(\`callgrind_annotate --inclusive=no\`, full output in bench/out/callgrind.txt; thread entry
frames left out):

\`\`\`
$(cat "$out/callgrind-top.txt")
\`\`\`
EOF
  if [[ -f bench/profile-notes.md ]]; then
    echo
    cat bench/profile-notes.md
  fi
}

write_results() {
  {
    echo '# TicketMonster benchmark results'
    echo
    echo "Written by \`make bench\` (bench/run) on $(date -u '+%Y-%m-%d %H:%M UTC'), commit" \
      "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- extension shim sql 2>/dev/null || echo ' with uncommitted changes')."
    echo "Each figure is min / median of $runs run(s); raw outputs are in bench/last-run/ (the small ones) and bench/out/$( ((${#skipped_steps[@]})) && echo "; steps left out: ${skipped_steps[*]}")."
    if [[ -n ${BENCH_NOTE:-} ]]; then
      echo
      echo "$BENCH_NOTE"
    fi
    echo
    targets_section
    echo
    machine_section
    echo
    setup_section
    echo
    at_32_section
    echo
    durable_section
    echo
    sweep_section
    echo
    logins_section
    echo
    staleness_section
    echo
    memory_section
    echo
    profile_section
  } >bench/RESULTS.md
}

# The run's small outputs beside RESULTS.md, to be committed with it: results.tsv (every
# run's figures), wrk's and pgbench's summaries, the staleness samples, the cold starts and
# the profile's top (not callgrind's own files, which are large).
keep_raw_outputs() {
  rm -rf bench/last-run
  mkdir -p bench/last-run
  cp -r "$out/raw" bench/last-run/
  local f
  for f in results.tsv staleness-a.txt staleness-both.txt coldstart.txt callgrind-top.txt violations.txt sweep.dat; do
    [[ -f $out/$f ]] && cp "$out/$f" bench/last-run/
  done
  return 0
}
