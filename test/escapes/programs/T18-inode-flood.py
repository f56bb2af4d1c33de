"""T18 inode exhaustion. How: create empty files in /tmp until creation fails; empty files cost no
blocks, only inodes, so a size limit alone would not stop this.
Expected safe outcome: ENOSPC at the tmpfs inode limit (or MEMORY_LIMIT, inodes are charged to the
run); bounded time. Control: the first file is created.
"""
import errno
import json
import os


from facts import attempt, fact

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
