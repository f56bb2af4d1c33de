"""T18 inode exhaustion. How: create empty files in /tmp until creation fails; empty files cost no
blocks, only inodes, so a size limit alone would not stop this.
Expected safe outcome: ENOSPC at the tmpfs inode limit (or MEMORY_LIMIT, inodes are charged to the
run); bounded time. Control: the first file is created.
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

count = 0
os.makedirs("/tmp/t18", exist_ok=True)
try:
    while count < 10_000_000:
        with open(f"/tmp/t18/{count}", "wb"):
            pass
        if count == 0:
            fact("create-first", True)
        count += 1
    fact("create-unbounded", True, count=count)
except OSError as e:
    fact("create-unbounded", False, e.errno, count=count)
