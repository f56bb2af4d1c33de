"""T16 status spoofing by exit code 124 (what timeout(1) returns on a time-out).
Expected safe outcome: RUNTIME_ERROR with exit code 124; never TIME_LIMIT.
"""
import errno
import json
import os


from facts import attempt, fact

import sys

fact("exiting-124", True)
sys.exit(124)
