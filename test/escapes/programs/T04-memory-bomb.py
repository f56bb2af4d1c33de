"""T04 memory bomb (Python). How: append 16 MiB bytearrays (touched on creation) forever.
Expected safe outcome: MEMORY_LIMIT (cgroup OOM kill) or a MemoryError ending RUNTIME_ERROR; peak
memory close to the limit; the worker is not OOM-killed.
"""
import errno
import json
import os


from facts import attempt, fact

blocks = []
while True:
    blocks.append(bytearray(b"\x5a" * (16 << 20)))
    if len(blocks) == 1:
        fact("first-block", True)
