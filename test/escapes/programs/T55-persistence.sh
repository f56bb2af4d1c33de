#!/bin/bash
# T55 cross-run persistence. How: run once with stdin "plant" to leave markers in /tmp, /var/tmp,
# /dev/shm, $HOME, the work directory, ~/.cache and a SysV message queue; run again with stdin
# "check" to look for them.
# Expected safe outcome: the second run sees nothing of the first (every "found-*" check false).
# Control: in the plant run, every marker is written (true) or refused (false) visibly.
# One fact per line: ok = the operation succeeded (or the stated condition holds).
fact() { printf '{"check":"%s","ok":%s,"errno":"%s"}\n' "$1" "$2" "${3:-}"; }
# Runs a command quietly and records whether it succeeded.
try() { local check=$1; shift; if "$@" >/dev/null 2>&1; then fact "$check" true; else fact "$check" false; fi; }

mode=$(head -n1)
places="/tmp/t55 /var/tmp/t55 /dev/shm/t55 ${HOME:-/nonexistent}/t55 ./t55 ${HOME:-/nonexistent}/.cache/t55"
if [ "$mode" = plant ]; then
  for p in $places; do mkdir -p "$(dirname "$p")" 2>/dev/null; try "plant-$p" sh -c "echo t55 > \"$p\""; done
  command -v ipcmk >/dev/null && try plant-sysv-queue ipcmk -Q
else
  for p in $places; do if [ -e "$p" ]; then fact "found-$p" true; else fact "found-$p" false; fi; done
  if command -v ipcs >/dev/null && ipcs -q 2>/dev/null | grep -q 0x; then fact found-sysv-queue true; else fact found-sysv-queue false; fi
fi