#!/bin/bash
# T44 signal storm. How: SIGSTOP then SIGKILL every visible pid, and kill(-1, SIGKILL), hoping to
# stop or kill the worker or the sandbox helper.
# Expected safe outcome: the worker is invisible and unaffected; the run ends with a clear status
# (RUNTIME_ERROR when the script itself is killed, or OK); the service stays healthy and a
# concurrent benign run is unaffected.
# One fact per line: ok = the operation succeeded (or the stated condition holds).
fact() { printf '{"check":"%s","ok":%s,"errno":"%s"}\n' "$1" "$2" "${3:-}"; }
# Runs a command quietly and records whether it succeeded.
try() { local check=$1; shift; if "$@" >/dev/null 2>&1; then fact "$check" true; else fact "$check" false; fi; }

fact storm-start true
for pid in /proc/[0-9]*; do
  pid=${pid#/proc/}
  [ "$pid" = $$ ] && continue
  kill -STOP "$pid" 2>/dev/null
done
for pid in /proc/[0-9]*; do
  pid=${pid#/proc/}
  [ "$pid" = $$ ] && continue
  kill -KILL "$pid" 2>/dev/null
done
kill -KILL -1 2>/dev/null
fact storm-done true