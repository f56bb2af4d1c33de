"""T14 stderr flood. How: write to stderr as fast as possible, forever.
Expected safe outcome: OUTPUT_LIMIT; returned stderr at most the output limit, marked truncated.
"""
import errno
import json
import os


from facts import attempt, fact

import sys

fact("flood-start", True)
chunk = b"E" * 65536
while True:
    sys.stderr.buffer.write(chunk)
