"""T27 unix sockets. How: connect to container-engine and Redis sockets at their usual paths, and to
abstract-namespace sockets (abstract names are per network namespace, so a shared one would reach
the host agents); list /proc/net/unix for foreign sockets.
Expected safe outcome: the paths do not exist or refuse (ENOENT, ECONNREFUSED, EACCES); no abstract
socket of the host is visible. Control: the run own abstract socket accepts a connection.
"""
import errno
import json
import os


from facts import attempt, fact


import socket

PATHS = ["/var/run/docker.sock", "/run/docker.sock", "/run/containerd/containerd.sock", "/run/redis/redis.sock",
         "/var/run/redis/redis-server.sock", "/tmp/redis.sock", "/run/dbus/system_bus_socket", "/run/systemd/private"]


def connect(address):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(2)
        s.connect(address)


for path in PATHS:
    attempt("connect-" + path.strip("/").replace("/", "-"), lambda: connect(path))
for name in ("\0/containerd-shim", "\0bulkhead", "\0/tmp/.X11-unix/X0"):
    attempt("connect-abstract-" + name[1:].strip("/").replace("/", "-"), lambda: connect(name))
with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as own:
    own.bind("\0t27-own")
    own.listen(1)
    attempt("connect-own-abstract-control", lambda: connect("\0t27-own"))
    with open("/proc/net/unix") as f:
        names = [line.split()[-1] for line in f.read().splitlines()[1:] if len(line.split()) > 7]
foreign = [n for n in names if n != "@t27-own"]
fact("foreign-unix-sockets-visible", bool(foreign), sockets=foreign[:20])
