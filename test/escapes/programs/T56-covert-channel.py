"""T56 covert channel between concurrent runs. How: two copies run at the same time (the suite starts
them together); each takes an exclusive flock on a fixed /tmp path, binds a fixed abstract socket
name, creates a fixed /dev/shm file and a SysV semaphore key, then looks for the other copy traces.
If any of these were shared, the second copy would fail to lock or bind, or would see the file.
Expected safe outcome: both copies lock and bind successfully (ok true) and neither sees a peer
file or IPC object (ok false). Stdin carries a copy id ("a" or "b").
"""
import errno
import json
import os


from facts import attempt, fact


import fcntl
import socket
import sys
import time

me = (sys.stdin.read().strip() or "a")[:1]
peer = "b" if me == "a" else "a"
lock = open("/tmp/t56.lock", "w")
attempt("flock-exclusive", lambda: fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB))
sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
attempt("abstract-bind", lambda: sock.bind("\0bulkhead-t56"))
attempt("shm-create", lambda: open(f"/dev/shm/t56-{me}", "w").close())
attempt("tmp-create-control", lambda: open(f"/tmp/t56-{me}", "w").close())
time.sleep(1.5)
fact("peer-shm-file-visible", os.path.exists(f"/dev/shm/t56-{peer}"))
fact("peer-tmp-file-visible", os.path.exists(f"/tmp/t56-{peer}"))
