#!/usr/bin/env bash
# Quick start: prepares whatever is missing, then runs Redis (embedded unless SBX_REDIS_URL is
# set), one worker and the API in the foreground. Ctrl-C stops all of them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prepare.sh

data_dir=${SBX_DATA_DIR:-/var/lib/bulkhead}
pids=()
stop_all() { ((${#pids[@]})) && kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null || true; }
trap stop_all EXIT INT TERM

if [[ -z ${SBX_REDIS_URL:-} ]]; then
  # Embedded Redis: a unix socket only (no TCP port), persistence on (AOF), in the data dir.
  mkdir -p "$data_dir/redis"
  sock="$data_dir/redis/redis.sock"
  redis-server --port 0 --unixsocket "$sock" --unixsocketperm 770 --dir "$data_dir/redis" \
    --appendonly yes --save 60 1000 --daemonize no --loglevel warning &
  pids+=($!)
  for _ in $(seq 50); do [[ -S $sock ]] && break; sleep 0.1; done
  export SBX_REDIS_URL="unix://$sock"
  echo "embedded Redis on $SBX_REDIS_URL"
fi

npx tsx worker/main.ts &
pids+=($!)
npx tsx api/main.ts &
pids+=($!)
wait -n "${pids[@]}"
