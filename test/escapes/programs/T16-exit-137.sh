#!/bin/bash
# T16 status spoofing by exit code 137 (128 + SIGKILL, what a shell reports for a killed child).
# Expected safe outcome: RUNTIME_ERROR with exit code 137 and no signal; never MEMORY_LIMIT or
# TIME_LIMIT.
# One fact per line: ok = the operation succeeded (or the stated condition holds).
fact() { printf '{"check":"%s","ok":%s,"errno":"%s"}\n' "$1" "$2" "${3:-}"; }
# Runs a command quietly and records whether it succeeded.
try() { local check=$1; shift; if "$@" >/dev/null 2>&1; then fact "$check" true; else fact "$check" false; fi; }

fact exiting-137 true
exit 137