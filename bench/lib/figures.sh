# Figures out of results.tsv, and the arithmetic of the report.

# figure SCENARIO TOOL CONNS COLUMN(rps|p50|p99|errors) min|median|max|sum
figure() {
  local col
  case $4 in rps) col=5 ;; p50) col=6 ;; p99) col=7 ;; errors) col=8 ;; esac
  awk -F'\t' -v s="$1" -v t="$2" -v c="$3" -v col="$col" '$1 == s && $2 == t && $3 == c {print $col}' \
    "$out/results.tsv" | sort -g | awk -v how="$5" '{v[NR] = $1; sum += $1} END {
      if (NR == 0) { print "n/a"; exit }
      if (how == "min") x = v[1]
      else if (how == "max") x = v[NR]
      else if (how == "sum") x = sum
      else x = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      printf (x >= 100 || how == "sum") ? "%.0f\n" : "%.2f\n", x }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { n = "^[0-9]+([.][0-9]+)?$"; if (a ~ n && b ~ n && b > 0) printf "%.2f\n", a / b; else print "n/a" }'; }
# True when both are numbers and $1 >= $2 ("n/a" never meets a target).
at_least() {
  awk -v a="$1" -v b="$2" 'BEGIN { n = "^[0-9]+([.][0-9]+)?$"; exit !(a ~ n && b ~ n && a + 0 >= b + 0) }'
}
at_most() { at_least "$2" "$1"; }
verdict() { if "$@"; then echo "**met**"; else echo "**missed**"; fi; }

# The best median rate of SCENARIO by TOOL over the sweep and the runs at 32 connections:
# "<rate> <conns>", or "n/a".
best_over_sweep() {
  local c rps best=n/a best_c=
  for c in "${sweep_conns[@]}" "$main_conns"; do
    rps=$(figure "$1" "$2" "$c" rps median)
    [[ $rps == n/a ]] && continue
    if [[ $best == n/a ]] || at_least "$rps" "$best"; then best=$rps best_c=$c; fi
  done
  echo "$best $best_c"
}
