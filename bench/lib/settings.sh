# The benchmark's knobs (environment) and fixed names; sourced first by bench/run.
#
#   WEB_CONCURRENCY (4)            the shim's database connections, as in a deployment
#   BENCH_RUNS (2)                 runs of each scenario, alternating shim and pgbench
#   BENCH_DURATION (10)            seconds of each run at 32 connections
#   BENCH_SWEEP_DURATION (4)       seconds of each run of the connection sweep
#   BENCH_SWEEP ("1 4 16 64 256")  connections of the sweep
#   BENCH_STALENESS_SAMPLES (300)  purchases the staleness probe times
#   BENCH_LOGIN_CLIENTS (16)       clients logging in beside the reads
#   BENCH_COLDSTARTS (7)           starts timed for the cold start
#   BENCH_PROFILE_REQUESTS (1000)  GET /events under callgrind
#   BENCH_SKIP ("")                steps left out, e.g. "profile durable sweep"
#   BENCH_QUICK (0)                1: a few minutes' run to try the bench itself (1 run, short
#                                  durations, 3-point sweep); its figures are rough
#   BENCH_PGPORT (24390), BENCH_HTTP_PORT (24391; the next four ports are used too)

if [[ ${BENCH_QUICK:-0} == 1 ]]; then
  : "${BENCH_RUNS:=1}" "${BENCH_DURATION:=4}" "${BENCH_SWEEP_DURATION:=2}"
  : "${BENCH_SWEEP:=1 16 256}" "${BENCH_STALENESS_SAMPLES:=100}" "${BENCH_COLDSTARTS:=3}"
  : "${BENCH_PROFILE_REQUESTS:=300}"
fi
export WEB_CONCURRENCY=${WEB_CONCURRENCY:-4}
runs=${BENCH_RUNS:-2}
duration=${BENCH_DURATION:-10}
sweep_duration=${BENCH_SWEEP_DURATION:-4}
read -ra sweep_conns <<<"${BENCH_SWEEP:-1 4 16 64 256}"
staleness_samples=${BENCH_STALENESS_SAMPLES:-300}
login_clients=${BENCH_LOGIN_CLIENTS:-16}
coldstarts=${BENCH_COLDSTARTS:-7}
profile_requests=${BENCH_PROFILE_REQUESTS:-1000}
read -ra skipped_steps <<<"${BENCH_SKIP:-}"
# Below the kernel's ephemeral range (32768-60999), which wrk's thousands of client sockets
# draw from: a server restarted mid-run (cold starts) could otherwise find its port taken.
pgport=${BENCH_PGPORT:-24390}
http_port=${BENCH_HTTP_PORT:-24391} # the first web process
coldstart_port=$((http_port + 1))
profile_port=$((http_port + 2))
second_port=$((http_port + 3)) # the second web process (staleness)
# http_port + 4: the control (steps/control.sh)
main_conns=32
big_conns=256

cluster=.tmp/bench
out=bench/out
db=tm_bench
role=tm_bench_web
# The cluster trusts nobody (tools/pg-cluster): the superuser's password is in its pgpass, and
# the web role (shim and pgbench alike) logs in with this one.
role_password=bench-web-password
export PGPASSFILE=$PWD/$cluster/pgpass
secret_key=bench-secret-key-0123456789abcdef0123456789abcdef
n_events=50
n_users=1000
stock=100000
money=1000000000
bindir=$(pg_config --bindir)
shim=shim/ticketmonster-web
