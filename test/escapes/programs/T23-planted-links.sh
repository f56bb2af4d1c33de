#!/bin/bash
# T23 links, FIFOs and sparse files planted at paths the worker reads or writes after the run (the
# Judge0 CVE-2024-28185/28189 class): symlinks from the usual output, source and binary names to
# host files and to the host marker path given on stdin, a FIFO where the worker might read (a
# reader would block forever), a 1 TiB sparse file (refused by RLIMIT_FSIZE) and a 60 MiB sparse
# file under the limit (a copier that expands holes would write 60 MiB of zeros).
# Expected safe outcome: status OK; the worker never follows a link or opens a box file with host
# privileges: host files and markers unchanged (content, owner, mode); the response holds no host
# data; no worker hang. Control: the links are created.
# One fact per line: ok = the operation succeeded (or the stated condition holds).
fact() { printf '{"check":"%s","ok":%s,"errno":"%s"}\n' "$1" "$2" "${3:-}"; }
# Runs a command quietly and records whether it succeeded.
try() { local check=$1; shift; if "$@" >/dev/null 2>&1; then fact "$check" true; else fact "$check" false; fi; }

marker=$(head -n1)
marker=${marker:-/etc/passwd}
cd /box 2>/dev/null || cd .
for name in stdout stderr output output.txt result.txt a.out main main.c main.cpp Main.java solution.py exitcode meta; do
  rm -f "$name" 2>/dev/null
  ln -s "$marker" "$name" 2>/dev/null
done
try link-created test -L output.txt
ln -s /etc/shadow shadow-link 2>/dev/null
ln -s / root-link 2>/dev/null
mkdir -p dir && ln -s /proc/1/root dir/proc-root 2>/dev/null
try fifo-created mkfifo fifo-output
try sparse-1tib-created truncate -s 1T sparse-huge.bin
try sparse-created truncate -s 60M sparse.bin
try hardlink-etc ln /etc/passwd hardlink-passwd
fact planted true