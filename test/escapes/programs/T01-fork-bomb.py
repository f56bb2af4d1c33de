"""T01 fork bomb (Python). How: os.fork() in an endless loop in every process.
Expected safe outcome: fork fails with EAGAIN (BlockingIOError) at the pids limit; the run ends
TIME_LIMIT or RUNTIME_ERROR; host and a concurrent benign run unaffected; no process left.
"""
import errno
import json
import os


def fact(check, ok, err=0, **extra):
    """One fact per line: ok = the operation succeeded (or the stated condition holds)."""
    name = "" if ok or not err else errno.errorcode.get(err, str(err))
    print(json.dumps({"check": check, "ok": bool(ok), "errno": name, **extra}), flush=True)


def attempt(check, fn):
    """Runs fn and records whether it raised OSError, with the errno."""
    try:
        fn()
        fact(check, True)
    except OSError as e:
        fact(check, False, e.errno or 0)

root = os.getpid()
first = True
reported = False
while True:
    try:
        pid = os.fork()
        if first and os.getpid() == root:
            fact("fork-first", True)
            first = False
    except OSError as e:
        if os.getpid() == root and not reported:
            fact("fork-unbounded", False, e.errno)
            reported = True
