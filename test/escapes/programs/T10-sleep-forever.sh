#!/bin/bash
# T10 sleep forever. How: sleep far beyond the wall limit, using no CPU, so a CPU limit alone never
# ends the run.
# Expected safe outcome: killed at the wall limit: TIME_LIMIT (wall), CPU time near 0.
# One fact per line: ok = the operation succeeded (or the stated condition holds).
fact() { printf '{"check":"%s","ok":%s,"errno":"%s"}\n' "$1" "$2" "${3:-}"; }
# Runs a command quietly and records whether it succeeded.
try() { local check=$1; shift; if "$@" >/dev/null 2>&1; then fact "$check" true; else fact "$check" false; fi; }

fact sleeping true
sleep 100000
fact woke-up true