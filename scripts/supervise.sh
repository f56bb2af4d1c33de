#!/usr/bin/env bash
# The quick start's process supervisor (run by scripts/start.sh once the checkout is prepared):
# Redis (embedded unless SBX_REDIS_URL is set), one worker and the API, each in its own loop that
# restarts it when it exits, with the reason logged and a backoff (1 s, doubling to 30 s, back to
# 1 s once a process stayed up for 60 s). The others keep serving meanwhile: the worker and the
# API reconnect to a restarted Redis, and a dead worker's runs are re-run by its successor (BullMQ's
# stalled check, see README "Several hosts, one Redis"). SIGINT/SIGTERM stops everything.
#
# SBX_REDIS_DIR: the embedded Redis's directory (default $SBX_DATA_DIR/redis).
set -uo pipefail
cd "$(dirname "$0")/.."

data_dir=${SBX_DATA_DIR:-/var/lib/bulkhead}
BACKOFF_MAX_S=30
STABLE_S=60

log() { printf 'supervisor: %s\n' "$*" >&2; }

# Why a child ended, from its wait status.
reason() {
  if (($1 > 128)); then echo "killed by SIG$(kill -l $(($1 - 128)))"; else echo "exited with status $1"; fi
}

# supervise NAME COMMAND...: runs COMMAND until told to stop, restarting it whenever it ends.
supervise() {
  local name=$1 backoff=1 child= started rc
  shift
  # The child gets SIGTERM (its graceful shutdown) and is waited for before the loop ends. No
  # child yet: nothing to signal (kill 0 would signal the whole process group).
  trap '[[ -n $child ]] && { kill -TERM "$child" 2>/dev/null; wait "$child" 2>/dev/null; }; exit 0' TERM INT
  while true; do
    started=$SECONDS
    "$@" &
    child=$!
    log "$name started (pid $child)"
    wait "$child"
    rc=$?
    ((SECONDS - started >= STABLE_S)) && backoff=1
    log "$name (pid $child) $(reason "$rc") after $((SECONDS - started)) s; restarting in ${backoff} s"
    sleep "$backoff" &
    wait $!
    backoff=$((backoff * 2 > BACKOFF_MAX_S ? BACKOFF_MAX_S : backoff * 2))
  done
}

loops=()
stop_all() {
  trap - EXIT INT TERM
  # In reverse start order, each waited for: the API and the worker close their queue
  # connections while Redis still answers (a worker stopping after Redis would wait on a dead
  # connection until its grace ran out); Redis stops last, after its clients.
  local i
  for ((i = ${#loops[@]} - 1; i >= 0; i--)); do
    kill -TERM "${loops[i]}" 2>/dev/null
    wait "${loops[i]}" 2>/dev/null
  done
}
trap stop_all EXIT INT TERM

if [[ -z ${SBX_REDIS_URL:-} ]]; then
  # Embedded Redis: a unix socket only (no TCP port), persistence on (AOF), so a restart keeps the queue.
  redis_dir=${SBX_REDIS_DIR:-$data_dir/redis}
  mkdir -p "$redis_dir"
  sock="$redis_dir/redis.sock"
  supervise redis redis-server --port 0 --unixsocket "$sock" --unixsocketperm 770 --dir "$redis_dir" \
    --appendonly yes --save 60 1000 --daemonize no --loglevel warning &
  loops+=($!)
  for _ in $(seq 100); do [[ -S $sock ]] && break; sleep 0.1; done
  export SBX_REDIS_URL="unix://$sock"
  log "embedded Redis on $SBX_REDIS_URL"
fi

# node --import tsx, not npx: the supervised pid is the process itself, so its exit status and
# signal are the real ones and SIGTERM reaches it directly.
supervise worker node --import tsx worker/main.ts &
loops+=($!)
supervise api node --import tsx api/main.ts &
loops+=($!)
wait
