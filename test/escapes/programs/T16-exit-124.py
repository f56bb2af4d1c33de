"""T16 status spoofing by exit code 124 (what timeout(1) returns on a time-out).
Expected safe outcome: RUNTIME_ERROR with exit code 124; never TIME_LIMIT.
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

import sys

fact("exiting-124", True)
sys.exit(124)
