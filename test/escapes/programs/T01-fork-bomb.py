"""T01 fork bomb (Python). How: os.fork() in an endless loop in every process.
Expected safe outcome: fork fails with EAGAIN (BlockingIOError) at the pids limit; the run ends
TIME_LIMIT or RUNTIME_ERROR; host and a concurrent benign run unaffected; no process left.
"""
import errno
import json
import os


from facts import attempt, fact

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
