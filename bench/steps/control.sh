# The control (bench/control/bare_mhd.c): libmicrohttpd alone serving the bytes of GET /events
# from memory, plain and gzip-compressed, configured like the web process. Measured with the
# same wrk runs of the sweep, right after the web process's, so that the report can show the
# floor beside the target.

control_port=$((http_port + 4))

# control_start: builds it and serves what the first web process answers to GET /events, with
# and without gzip.
control_start() {
  cc -O2 -Wall -Wextra -Werror -o "$out/bare_mhd" bench/control/bare_mhd.c \
    $(pkg-config --cflags --libs libmicrohttpd) || die "cannot build bench/control/bare_mhd.c"
  curl -sf -o "$out/events.json" "http://127.0.0.1:$http_port/events" &&
    curl -sf -H 'Accept-Encoding: gzip' -o "$out/events.json.gz" "http://127.0.0.1:$http_port/events" ||
    die "no GET /events to serve from the control"
  "$out/bare_mhd" "$control_port" "$out/events.json" "$out/events.json.gz" "${HTTP_THREADS:-2}" \
    2>"$out/control.err" &
  control_pid=$!
  local deadline=$((SECONDS + 10))
  until curl -sf -o /dev/null "http://127.0.0.1:$control_port/events"; do
    ((SECONDS < deadline)) && kill -0 "$control_pid" 2>/dev/null ||
      die "the control does not serve: $(tail -3 "$out/control.err")"
    sleep 0.05
  done
}

control_stop() {
  [[ -n ${control_pid:-} ]] || return 0
  kill "$control_pid" 2>/dev/null || true
  wait "$control_pid" 2>/dev/null || true
  control_pid=
}

# bare_events CONNS SECONDS RUN: GET /events from the control, recorded as tool "bare"; and the
# same from a client that takes no compression (bare_events_plain).
bare_events() {
  target_port=$control_port wrk_tool=bare run_wrk events "$1" "$2" "$3" "$(($1 < 2 ? $1 : 2))" events.lua
}
bare_events_plain() {
  target_port=$control_port wrk_tool=bare run_wrk events_plain "$1" "$2" "$3" "$(($1 < 2 ? $1 : 2))" \
    events-plain.lua
}
