#!/usr/bin/env bash
# npm run bench: the sandbox benchmark (bench/sandbox.ts, when present), the peers and the issue 19
# ratios (bench/peers.ts), the stack's floor (bench/queue-floor.ts), the live runs (bench/live.ts)
# and the load scenarios (bench/load/driver.ts), then one summary.
# npm run bench -- DRIVER OPTIONS: only the load driver with those options (`--help` lists them and
# starts nothing). With BENCH_URL unset it starts its own
# service first (Redis on a temporary unix socket, one worker, the API on a free loopback port)
# and tears it down at exit. Everything is bounded in time.
#
# Environment:
#   BENCH_URL          an already running service (loopback only); nothing is started
#   BENCH_PREPARE=1    run scripts/prepare.sh first (packages, addon, images); off by default
#   BENCH_TIMEOUT_S    upper bound of the load driver, s (default 900)
#   BENCH_READY_S      how long to wait for GET /ready, s (default 120)
#   SBX_DATA_DIR       where the worker finds its images (default /var/lib/bulkhead)
#   BENCH_FLOOR_DIR    the fresh-isolation floor benchmark (default ../shared/floor beside the checkout)
#   BENCH_ONLY=peers   only bench/peers.ts against the local service (peers, floor and ratios, ~3 min)
#   BENCH_WORKER_SLOTS slots of the local worker (default 8: the in-flight count of the sandbox
#                      rows bench/peers.ts compares the service with, so both run 8 sandboxes at once)
# Driver options after `--`, e.g. `npm run bench -- --scenario hello-bash --find-max`.
set -euo pipefail
cd "$(dirname "$0")/.."

# Usage needs no service: answered before anything is installed or started.
for arg in "$@"; do
  [[ $arg == --help || $arg == -h ]] && exec npx tsx bench/load/driver.ts --help
done

timeout_s=${BENCH_TIMEOUT_S:-900}
ready_s=${BENCH_READY_S:-120}
groups=()
tmp=
stop_all() {
  # Each service process was started with setsid, so its pid is its process group: the group
  # also holds the node child that npx/tsx start.
  for pgid in "${groups[@]}"; do kill -TERM -- "-$pgid" 2>/dev/null || true; done
  for pgid in "${groups[@]}"; do
    for _ in $(seq 50); do kill -0 -- "-$pgid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pgid" 2>/dev/null || true
  done
  [[ -n $tmp ]] && rm -rf "$tmp"
  return 0
}
trap stop_all EXIT
trap 'exit 130' INT TERM

[[ ${BENCH_PREPARE:-0} == 1 ]] && bash scripts/prepare.sh

# The peers bench/peers.ts compares against (Debian packages). Installed here, not by
# scripts/deps.sh: CI does not run the bench. A peer that cannot be installed is a skipped row.
missing=()
for pair in bwrap:bubblewrap crun:crun runc:runc podman:podman; do
  command -v "${pair%%:*}" > /dev/null || missing+=("${pair#*:}")
done
if ((${#missing[@]})); then
  apt-get install -y --no-install-recommends "${missing[@]}" > /dev/null ||
    echo "bench: could not install ${missing[*]}; their rows are skipped" >&2
fi

pid_spec=
if [[ -z ${BENCH_URL:-} ]]; then
  tmp=$(mktemp -d /tmp/bulkhead-bench.XXXXXX)
  sock=$tmp/redis.sock
  setsid redis-server --port 0 --unixsocket "$sock" --unixsocketperm 700 --dir "$tmp" \
    --save "" --appendonly no --daemonize no --loglevel warning > "$tmp/redis.log" 2>&1 &
  redis_pid=$!
  groups+=("$redis_pid")
  for _ in $(seq 50); do [[ -S $sock ]] && break; sleep 0.1; done
  [[ -S $sock ]] || { echo "bench: redis-server did not start" >&2; exit 1; }
  port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  export SBX_REDIS_URL="unix://$sock" SBX_PORT=$port SBX_HOST=127.0.0.1 SBX_LOG_LEVEL=${SBX_LOG_LEVEL:-warn}
  export SBX_WORKER_SLOTS=${BENCH_WORKER_SLOTS:-8}
  setsid npx tsx worker/main.ts > "$tmp/worker.log" 2>&1 &
  worker_pid=$!
  groups+=("$worker_pid")
  setsid npx tsx api/main.ts > "$tmp/api.log" 2>&1 &
  api_pid=$!
  groups+=("$api_pid")
  BENCH_URL="http://127.0.0.1:$port"
  pid_spec="api=$api_pid,worker=$worker_pid,redis=$redis_pid"
  echo "bench: local service at $BENCH_URL (logs in $tmp until exit)"
  deadline=$((SECONDS + ready_s))
  until curl -fsS -o /dev/null "$BENCH_URL/ready" 2>/dev/null; do
    if ((SECONDS >= deadline)) || ! kill -0 "$api_pid" 2>/dev/null || ! kill -0 "$worker_pid" 2>/dev/null; then
      echo "bench: the service is not ready after ${ready_s}s; GET /ready says:" >&2
      curl -sS "$BENCH_URL/ready" >&2 || true
      echo >&2
      tail -n 20 "$tmp/worker.log" "$tmp/api.log" >&2 || true
      exit 1
    fi
    sleep 0.5
  done
fi
export BENCH_URL

if [[ ${BENCH_ONLY:-} == peers ]]; then
  echo "== peers and ratios (bench/peers.ts)"
  timeout 600 npx tsx bench/peers.ts
  exit $?
fi

# The rows before the load scenarios: the sandbox alone, peers and ratios, the stack's floor, live runs.
other_rows() {
  if [[ -f bench/sandbox.ts ]]; then
    echo "== sandbox benchmark (bench/sandbox.ts)"
    timeout 600 npx tsx bench/sandbox.ts || echo "bench: bench/sandbox.ts failed (exit $?)"
  fi
  # Peers side by side and the issue 19 ratios (the floor from ../shared/floor when it exists).
  echo "== peers and ratios (bench/peers.ts)"
  timeout 600 npx tsx bench/peers.ts || echo "bench: bench/peers.ts failed (exit $?)"
  echo "== the stack's own floor (bench/queue-floor.ts: Fastify + BullMQ + Redis, no Bulkhead code, no sandbox)"
  timeout 300 npx tsx bench/queue-floor.ts || echo "bench: bench/queue-floor.ts failed (exit $?)"
  # Live runs: WebSocket round trip, worker memory over 1,000 live runs, the channel's cost per run.
  timeout 600 npx tsx bench/live.ts || echo "bench: bench/live.ts failed (exit $?)"
}
# Driver options name one load run: only the driver runs then.
(($# > 0)) || other_rows

echo "== load scenarios (bench/load/driver.ts)"
status=0
timeout "$timeout_s" npx tsx bench/load/driver.ts --url "$BENCH_URL" ${pid_spec:+--pids "$pid_spec"} "$@" || status=$?
echo "== $(uname -n) $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
exit "$status"
