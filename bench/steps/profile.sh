# The web process under callgrind (WEB_CONCURRENCY=1) for BENCH_PROFILE_REQUESTS GET /events
# on one keep-alive connection; counters are zeroed once it serves, so that start-up
# (connecting, preparing) stays out of the profile.

profile_shim() {
  local file i
  rm -f "$out"/callgrind.out.*
  WEB_CONCURRENCY=1 shim_start profile "$profile_port" valgrind --tool=callgrind --trace-children=yes \
    --callgrind-out-file="$out/callgrind.out.%p"
  timeout 30 callgrind_control --zero "${shim_pids[profile]}" >/dev/null 2>&1 ||
    log "callgrind_control failed: start-up is in the profile"
  # One curl, one keep-alive connection, a fixed number of requests (wrk only knows durations).
  for ((i = 0; i < profile_requests; i++)); do
    printf 'url = "http://127.0.0.1:%s/events"\noutput = "/dev/null"\n' "$profile_port"
  done >"$out/profile-curl.conf"
  curl -s -w '%{http_code}\n' -K "$out/profile-curl.conf" >"$out/profile-statuses.txt"
  profile_ok=$(grep -c '^200$' "$out/profile-statuses.txt" || true)
  shim_stop profile
  # shellcheck disable=SC2012 # our own file names; the biggest is the worker that served
  file=$(ls -S "$out"/callgrind.out.* | head -1)
  callgrind_annotate --threshold=100 --inclusive=no "$file" >"$out/callgrind.txt"
  profile_total=$(awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1; exit}' "$out/callgrind.txt")
  # Function lines: "<instructions> (<percent>)  <file>:<function> [<object>]". The thread
  # entry frames that were on the stack when the counters were zeroed show their whole
  # subtree as their own cost (a callgrind artefact), so they are left out.
  grep -E '^ *[0-9,]+ \( *[0-9.]+%\) ' "$out/callgrind.txt" |
    grep -vE 'PROGRAM TOTALS|:clone |:start_thread |\(below main\)|__libc_start_main|ld-linux' |
    head -25 >"$out/callgrind-top.txt" || true
}
