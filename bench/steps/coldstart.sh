# Cold start: process start to the first 200 of GET /events, BENCH_COLDSTARTS times
# (bench/coldstart.mjs).

measure_coldstart() {
  env "${shim_env[@]}" node bench/coldstart.mjs "$shim" "$coldstart_port" "$coldstarts" \
    >"$out/coldstart.txt"
  cut -d= -f2 "$out/coldstart.txt" | sort -g >"$out/coldstart.sorted"
  coldstart_min=$(head -1 "$out/coldstart.sorted")
  coldstart_median=$(awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}' \
    "$out/coldstart.sorted")
  log "cold start: min $coldstart_min ms, median $coldstart_median ms"
}
