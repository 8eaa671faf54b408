# The two load generators, one run each, recorded in results.tsv: wrk against a web process,
# pgbench sending the same SQL straight to PostgreSQL; and their alternation.

# run_wrk SCENARIO CONNS SECONDS RUN THREADS SCRIPT [SCRIPT ARGS...], against $target_port
# (the first web process unless a step says otherwise), recorded as $wrk_tool (shim unless the
# control is measured: steps/control.sh).
run_wrk() {
  local scenario=$1 conns=$2 secs=$3 run=$4 threads=$5 script=$6 raw line
  raw=$out/raw/$scenario-${wrk_tool:-shim}-c$conns-r$run.txt
  busy_before=$(outside_load)
  BENCH_TOKENS=$out/tokens.tsv wrk -t "$threads" -c "$conns" -d "${secs}s" --timeout 10s \
    -s "bench/wrk/$script" "http://127.0.0.1:${target_port:-$http_port}/" -- "${@:7}" >"$raw" 2>&1 ||
    die "wrk failed: $(tail -3 "$raw")"
  wrk_record "$scenario" "$conns" "$run" "$raw"
}

# wrk_record SCENARIO CONNS RUN RAW: wrk's BENCH line (bench/wrk/report.lua) into results.tsv.
wrk_record() {
  local line
  line=$(grep '^BENCH ' "$4") || die "no result from wrk: $(tail -3 "$4")"
  record "$1" "${wrk_tool:-shim}" "$2" "$3" "$(field rps "$line")" "$(field p50_ms "$line")" \
    "$(field p99_ms "$line")" "$(($(field non2xx "$line") + $(field socket_errors "$line")))"
  log "$1 ${wrk_tool:-shim} c=$2 run $3: $line"
}

# Nearest-rank p50 and p99 in ms of pgbench's per-transaction log (3rd field, microseconds).
pgbench_percentiles() {
  cat "$out"/pgbench/log* | awk '$3 ~ /^[0-9]+$/ {print $3}' | sort -n |
    awk '{v[NR] = $1} END {
      if (NR == 0) { print "0 0"; exit }
      p50 = int(NR * 0.50); if (p50 < NR * 0.50) p50++
      p99 = int(NR * 0.99); if (p99 < NR * 0.99) p99++
      printf "%.3f %.3f\n", v[p50] / 1000, v[p99] / 1000 }'
}

# run_pgbench SCENARIO CONNS SECONDS RUN PGBENCH-ARGS... (scripts and their variables)
run_pgbench() {
  local scenario=$1 conns=$2 secs=$3 run=$4 raw tps failed p50 p99 extra attempt
  raw=$out/raw/$scenario-pgbench-c$conns-r$run.txt
  busy_before=$(outside_load)
  # pgbench's -T counts from before its clients connect, and 256 password logins take
  # seconds on a loaded machine: a second more per 32 clients keeps the measured part (its
  # tps is "without initial connection time") near SECONDS. A run that connected too late
  # to finish a transaction is run again with more time.
  extra=$((conns / 32))
  for attempt in 1 2 3; do
    pgbench_once "$conns" "$((secs + extra))" "$raw" "${@:5}"
    tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' "$raw")
    [[ -n $tps ]] && break
    log "$scenario pgbench c=$conns: no transaction in $((secs + extra)) s (its clients were still connecting); again with more time"
    extra=$((extra * 2 + secs))
  done
  [[ -n $tps ]] || die "pgbench reported no rate: $raw"
  failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$raw")
  read -r p50 p99 < <(pgbench_percentiles)
  record "$scenario" pgbench "$conns" "$run" "$tps" "$p50" "$p99" "${failed:-0}"
  log "$scenario pgbench c=$conns run $run: tps=$tps p50_ms=$p50 p99_ms=$p99 failed=${failed:-0}"
}

# pgbench_once CONNS SECONDS RAW PGBENCH-ARGS...: one pgbench run, its per-transaction log in
# $out/pgbench/, its summary in RAW.
pgbench_once() {
  local status=0
  rm -f "$out"/pgbench/log*
  PGPASSWORD=$role_password "$bindir/pgbench" -n -M prepared \
    -h 127.0.0.1 -p "$pgport" -U "$role" -c "$1" -j "$(($1 < 2 ? $1 : 2))" \
    -T "$2" -l --log-prefix="$out/pgbench/log" "${@:4}" "$db" >"$3" 2>&1 || status=$?
  ((status == 0)) || die "pgbench failed ($status): $(grep -m3 -i error "$3")"
}

# scenario NAME CONNS SECONDS RUN: shim_NAME and pgbench_NAME (steps/reads.sh,
# steps/purchases.sh) back to back, the shim first in odd runs and second in even ones, so
# that neither always inherits the other's aftermath.
scenario() {
  local name=$1
  shift
  if (($3 % 2)); then
    "shim_$name" "$@"
    "pgbench_$name" "$@"
  else
    "pgbench_$name" "$@"
    "shim_$name" "$@"
  fi
}
