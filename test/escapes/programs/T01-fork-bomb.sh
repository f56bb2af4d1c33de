#!/bin/bash
# T01 fork bomb (shell). How: the classic function that pipes into itself in the background,
# doubling the process count until something stops it.
# Expected safe outcome: fork fails (bash "retry: Resource temporarily unavailable") at the pids
# limit; the run ends TIME_LIMIT, RUNTIME_ERROR or OK when the script ends; host and a concurrent
# benign run unaffected; no process left.
# One fact per line: ok = the operation succeeded (or the stated condition holds).
fact() { printf '{"check":"%s","ok":%s,"errno":"%s"}\n' "$1" "$2" "${3:-}"; }
# Runs a command quietly and records whether it succeeded.
try() { local check=$1; shift; if "$@" >/dev/null 2>&1; then fact "$check" true; else fact "$check" false; fi; }

fact bomb-start true
:(){ :|:& };:
sleep 5
fact main-survived true