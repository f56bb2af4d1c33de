"""The JSON-line facts the Python attack programs print, sent beside each program that imports it
(test/escapes/attack-request.ts). Each line: {"check": name, "ok": bool, "errno": "ENAME" or "", ...}.
"""
import errno
import json


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
