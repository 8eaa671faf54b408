# The connection sweep: throughput and p99 latency, shim vs pgbench, for GET /events and
# the hot purchase. Input bench/out/sweep.dat (written by bench/run, medians of the runs):
#   conns  rps: shim_events pg_events shim_hot pg_hot  p99 ms: shim_events pg_events shim_hot pg_hot
# Call with -e "title='...'" to put the machine on the chart.
if (!exists("title")) title = ''
set terminal pngcairo size 1400,620 font 'sans,11' noenhanced
set output 'bench/out/sweep.png'
set multiplot layout 1,2 title title
set logscale x 2
set xlabel 'concurrent connections (wrk) / clients (pgbench)'
set xtics (1, 4, 16, 64, 256)
set xrange [0.8:320]
set key below maxrows 2
set grid
set style line 1 lc rgb '#1f77b4' lw 2 pt 7
set style line 2 lc rgb '#1f77b4' lw 2 pt 6 dt 2
set style line 3 lc rgb '#d62728' lw 2 pt 5
set style line 4 lc rgb '#d62728' lw 2 pt 4 dt 2

set title 'throughput'
set ylabel 'requests (transactions) per second'
set yrange [0:*]
plot 'bench/out/sweep.dat' using 1:2 with linespoints ls 1 title 'GET /events, shim', \
     '' using 1:3 with linespoints ls 2 title 'tm_events(), pgbench', \
     '' using 1:4 with linespoints ls 3 title 'hot purchase, shim', \
     '' using 1:5 with linespoints ls 4 title 'tm_order_create(), pgbench'

set title 'p99 latency'
set ylabel 'ms (log scale)'
set logscale y 10
set yrange [*:*]
plot 'bench/out/sweep.dat' using 1:6 with linespoints ls 1 title 'GET /events, shim', \
     '' using 1:7 with linespoints ls 2 title 'tm_events(), pgbench', \
     '' using 1:8 with linespoints ls 3 title 'hot purchase, shim', \
     '' using 1:9 with linespoints ls 4 title 'tm_order_create(), pgbench'
unset multiplot
