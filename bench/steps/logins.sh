# Logins beside reads: BENCH_LOGIN_CLIENTS clients logging in continuously (each login
# hashes a password at the default cost, ~150 ms of a backend's CPU) while wrk measures
# GET /events and then GET /healthz at 32 connections; /healthz alone first, as the baseline.

logins_beside_reads() {
  local run raw pid login_busy secs
  dataset_login_users "$login_clients"
  # Long enough to cover both measured runs (and the half second of outside_load before each).
  secs=$((2 * duration + 4))
  for ((run = 1; run <= runs; run++)); do
    run_wrk healthz $main_conns "$duration" "$run" 2 healthz.lua
    raw=$out/raw/logins-shim-c$login_clients-r$run.txt
    login_busy=$(outside_load)
    BENCH_LOGIN_USERS=$out/login-users.tsv wrk -t 2 -c "$login_clients" -d "${secs}s" --timeout 10s \
      -s bench/wrk/login.lua "http://127.0.0.1:$http_port/" >"$raw" 2>&1 &
    pid=$!
    # The measurement is of a steady login load, not of its first second.
    sleep 1
    run_wrk events_logins $main_conns "$duration" "$run" 2 events.lua
    run_wrk healthz_logins $main_conns "$duration" "$run" 2 healthz.lua
    wait "$pid" || die "wrk (logins) failed: $(tail -3 "$raw")"
    busy_before=$login_busy wrk_record logins "$login_clients" "$run" "$raw"
  done
}
