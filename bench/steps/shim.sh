# Web processes (the shim): start, stop, memory. Each has a name; its pid is in shim_pids.
declare -A shim_pids=()

# Environment as test/lib/harness.mjs gives it (PORT is added per start). The load comes from
# one address: let it hold the sweep's 256 connections, and let the logins beside reads hash
# in parallel as if from different clients (the default of 1 would serialise them).
shim_env=(MAX_CONNECTIONS_PER_ADDRESS=300 PASSWORD_REQUESTS_PER_ADDRESS="$login_clients"
  DATABASE_URL="postgresql://$role:$role_password@127.0.0.1:$pgport/$db" STATIC_DIR="$PWD/static")

# wait_until_serving PORT SECONDS PID: until GET /events answers 200, or give up.
wait_until_serving() {
  local port=$1 deadline=$((SECONDS + $2)) pid=$3
  until curl -sf -o /dev/null "http://127.0.0.1:$port/events"; do
    ((SECONDS < deadline)) || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.05
  done
}

# shim_start NAME PORT [COMMAND PREFIX...]: its request log goes to /dev/null (still
# formatted and written, only the disk is spared), its errors to $out/NAME.err.
shim_start() {
  local name=$1 port=$2
  shift 2
  env "${shim_env[@]}" PORT="$port" "$@" "$shim" >/dev/null 2>"$out/$name.err" &
  shim_pids[$name]=$!
  wait_until_serving "$port" "$( (($#)) && echo 120 || echo 15)" "${shim_pids[$name]}" ||
    die "web process $name does not serve GET /events: $(tail -5 "$out/$name.err")"
}

shim_stop() {
  local pid=${shim_pids[$1]:-}
  [[ -n $pid ]] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  unset "shim_pids[$1]"
}

shim_stop_all() {
  local name
  for name in "${!shim_pids[@]}"; do shim_stop "$name"; done
}

# The process and its descendants (in case WEB_CONCURRENCY forks workers).
shim_tree() {
  local pid=$1 child
  echo "$pid"
  # shellcheck disable=SC2013 # the file is one line of space-separated pids
  for child in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do shim_tree "$child"; done
}

# shim_memory NAME: peak resident memory (VmHWM) so far, into rss_procs, rss_max_kb (largest
# process) and rss_sum_kb (over the processes).
shim_memory() {
  local pid kb
  rss_procs=0 rss_max_kb=0 rss_sum_kb=0
  for pid in $(shim_tree "${shim_pids[$1]}"); do
    kb=$(awk '/^VmHWM:/ {print $2}' /proc/"$pid"/status 2>/dev/null) || continue
    rss_procs=$((rss_procs + 1))
    rss_sum_kb=$((rss_sum_kb + kb))
    ((kb > rss_max_kb)) && rss_max_kb=$kb
  done
  log "web process $1 peak RSS: $rss_sum_kb kB over $rss_procs process(es)"
}
