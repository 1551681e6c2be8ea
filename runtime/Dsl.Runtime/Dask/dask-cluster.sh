#!/usr/bin/env bash
# Starts and stops a local Dask distributed cluster for `run --engine dask` (and its tests): a scheduler and N
# workers, each under a nanny (which restarts a worker process that dies) with one thread, bound to 127.0.0.1.
#   dask-cluster.sh start [--workers N] [--port P] [--dir DIR]   prints the scheduler's address when all N are registered
#   dask-cluster.sh stop [--dir DIR]                              stops what start started, by pid
# Installs Debian's python3-distributed with apt-get where /usr/bin/python3 lacks it. The scheduler declares a worker
# dead after 30 s without a heartbeat (Dask's default is 5 minutes), so a hung worker (SIGSTOP: no TCP reset) is
# noticed and its tasks rerun elsewhere; a worker declared dead does not rejoin by itself when it wakes, so stop and
# start the cluster (or its worker) then.
set -euo pipefail

command=${1:-}
shift || true
workers=2
port=8786
dir=${TMPDIR:-/tmp}/dsl-dask-cluster
while [[ $# -gt 0 ]]; do
  case "$1" in
    --workers) workers=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    *) echo "dask-cluster.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
python=/usr/bin/python3

stop() {
  for pidfile in "$dir"/*.pid; do
    [[ -e "$pidfile" ]] || continue
    pid=$(cat "$pidfile")
    # The nanny first (so it does not restart its worker), then the rest; SIGCONT in case a test stopped one.
    kill -CONT "$pid" 2>/dev/null || true
    kill -TERM "$pid" 2>/dev/null || true
  done
  for _ in $(seq 1 50); do
    alive=0
    for pidfile in "$dir"/*.pid; do
      [[ -e "$pidfile" ]] || continue
      kill -0 "$(cat "$pidfile")" 2>/dev/null && alive=1
    done
    [[ $alive -eq 0 ]] && break
    sleep 0.2
  done
  for pidfile in "$dir"/*.pid; do
    [[ -e "$pidfile" ]] || continue
    kill -KILL "$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile"
  done
}

case "$command" in
  start)
    if ! "$python" -c "import distributed" 2>/dev/null; then
      apt-get install -y -q python3-distributed >/dev/null 2>&1 || { sudo -n apt-get install -y -q python3-distributed >/dev/null; }
    fi
    mkdir -p "$dir"
    stop
    address="tcp://127.0.0.1:$port"
    DASK_SCHEDULER__WORKER_TTL=30s DASK_DISTRIBUTED__SCHEDULER__WORKER_TTL=30s \
      setsid "$python" -m distributed.cli.dask_scheduler --host 127.0.0.1 --port "$port" --dashboard-address :0 \
      >"$dir/scheduler.log" 2>&1 &
    echo $! >"$dir/scheduler.pid"
    for i in $(seq 1 "$workers"); do
      setsid "$python" -m distributed.cli.dask_worker "$address" --nanny --nthreads 1 --nworkers 1 \
        --host 127.0.0.1 --dashboard-address :0 --name "worker-$i" --local-directory "$dir/worker-$i" \
        >"$dir/worker-$i.log" 2>&1 &
      echo $! >"$dir/worker-$i.pid"
    done
    # Wait until the scheduler knows every worker (at most 60 s).
    if ! "$python" - "$address" "$workers" <<'PY'
import sys, time
from distributed import Client
address, wanted = sys.argv[1], int(sys.argv[2])
deadline = time.time() + 60
while True:
    try:
        with Client(address, timeout=5) as c:
            if wanted > 0:
                c.wait_for_workers(wanted, timeout=max(1, deadline - time.time()))
            break
    except Exception as e:
        if time.time() > deadline:
            sys.stderr.write("dask-cluster.sh: %d workers did not register at %s: %s\n" % (wanted, address, e))
            sys.exit(1)
        time.sleep(0.5)
PY
    then
      tail -n 20 "$dir"/*.log >&2 || true
      stop
      exit 1
    fi
    echo "$address"
    ;;
  stop)
    stop
    ;;
  *)
    echo "usage: dask-cluster.sh start [--workers N] [--port P] [--dir DIR] | stop [--dir DIR]" >&2
    exit 2
    ;;
esac
