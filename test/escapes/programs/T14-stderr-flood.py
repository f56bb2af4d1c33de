"""T14 stderr flood. How: write to stderr as fast as possible, forever.
Expected safe outcome: OUTPUT_LIMIT; returned stderr at most the output limit, marked truncated.
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

fact("flood-start", True)
chunk = b"E" * 65536
while True:
    sys.stderr.buffer.write(chunk)
