"""T04 memory bomb (Python). How: append 16 MiB bytearrays (touched on creation) forever.
Expected safe outcome: MEMORY_LIMIT (cgroup OOM kill) or a MemoryError ending RUNTIME_ERROR; peak
memory close to the limit; the worker is not OOM-killed.
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

blocks = []
while True:
    blocks.append(bytearray(b"\x5a" * (16 << 20)))
    if len(blocks) == 1:
        fact("first-block", True)
