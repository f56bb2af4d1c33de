"""T22 read host files. How: read /etc/shadow, the host marker files whose paths arrive on stdin
(one per line; the suite plants them on the host before the run), /proc/1/root, and the cwd and
root links of every visible process.
Expected safe outcome: shadow unreadable (EACCES) unless it is the image own file in a non-init
user namespace (then it holds no password hash: the suite also checks that no hash of the host's
shadow reaches any response); no host marker visible (ENOENT); /proc/1/root shows the sandbox root, not the host;
output never holds the marker content. Control: /etc/hostname is readable.
"""
import errno
import json
import os


from facts import attempt, fact

import sys


def read(path):
    with open(path, "rb") as f:
        return f.read(4096)


attempt("read-etc-hostname-control", lambda: read("/etc/hostname"))
attempt("read-etc-shadow", lambda: read("/etc/shadow"))


def shadow_hashes():
    """True when the visible /etc/shadow holds a password hash (a host file would; the image's has none)."""
    try:
        with open("/etc/shadow", "rb") as f:
            return any(line.split(b":")[1:2] and line.split(b":")[1].startswith(b"$") for line in f)
    except OSError:
        return False


fact("etc-shadow-holds-password-hash", shadow_hashes())
for i, line in enumerate(sys.stdin.read().split()):
    attempt(f"read-host-marker-{i}", lambda: read(line))
    attempt(f"read-host-marker-{i}-via-proc1-root", lambda: read("/proc/1/root" + line))
attempt("read-proc1-root-shadow", lambda: read("/proc/1/root/etc/shadow"))
foreign = []
for pid in filter(str.isdigit, os.listdir("/proc")):
    for link in ("cwd", "root"):
        try:
            target = os.readlink(f"/proc/{pid}/{link}")
        except OSError:
            continue
        if link == "root" and target != "/":
            foreign.append(f"{pid}/{link}={target}")
fact("proc-root-outside-sandbox", bool(foreign), links=foreign)
