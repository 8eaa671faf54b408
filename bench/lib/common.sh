# Helpers every step uses: logging, superuser SQL, the outside load, results.tsv.

log() { printf '%s bench: %s\n' "$(date +%T)" "$*" >&2; }
die() { log "$*"; exit 1; }

# True unless BENCH_SKIP names the step.
wanted() {
  local s
  for s in "${skipped_steps[@]}"; do [[ $s == "$1" ]] && return 1; done
  return 0
}

# Superuser SQL through the cluster's socket; unaligned, tuples only.
sql() {
  psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$PWD/$cluster/socket" -p "$pgport" -U postgres "$@"
}

# How busy the cores are (%) over half a second while the bench itself is idle: the
# outside load each run starts under, since the machine is shared.
outside_load() {
  local a b
  a=$(head -1 /proc/stat)
  sleep 0.5
  b=$(head -1 /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN {
    split(a, x); split(b, y)
    for (i = 2; i <= 9; i++) total += y[i] - x[i]
    idle = (y[5] - x[5]) + (y[6] - x[6])
    printf "%.0f\n", (total > 0) ? 100 * (total - idle) / total : 0 }'
}

# One line per run in results.tsv: scenario tool conns run rps p50_ms p99_ms errors busy,
# the last being outside_load's figure as the run started ($busy_before).
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" "$busy_before" >>"$out/results.tsv"; }

# A field of a "key=value key=value" line (the whole key: p99_ms is not sent_p99_ms).
field() { grep -oE "(^| )$1=[^ ]*" <<<"$2" | head -1 | cut -d= -f2; }
