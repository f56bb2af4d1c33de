"""T46 environment leak. How: look for worker secrets (REDIS_URL, *_SECRET, *_TOKEN, API keys) in the
own environment, in /proc/1/environ (the run init) and in every visible /proc/<pid>/environ.
Expected safe outcome: a minimal environment (PATH, HOME, LANG and the like); no secret-looking
variable anywhere readable; the suite also checks that the worker secret it set never appears in
the output. Control: PATH is set.
"""
import errno
import json
import os


from facts import attempt, fact


import re

SECRET = re.compile(rb"(REDIS|SECRET|TOKEN|PASSWORD|API_?KEY|AWS_|SBX_)", re.I)


def secrets_in(blob):
    return [v.split(b"=", 1)[0].decode(errors="replace") for v in blob.split(b"\0") if SECRET.search(v.split(b"=", 1)[0])]


fact("env-has-path-control", "PATH" in os.environ)
own = secrets_in(b"\0".join(f"{k}={v}".encode() for k, v in os.environ.items()))
fact("own-env-secret", bool(own), names=own)
print(json.dumps({"envKeys": sorted(os.environ)}), flush=True)
found = []
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            found += [f"{pid}:{n}" for n in secrets_in(f.read())]
    except OSError:
        pass
fact("proc-environ-secret", bool(found), names=found)
