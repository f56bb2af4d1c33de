"""T26 network egress. How: TCP connect to public, private and cloud-metadata addresses, UDP to a
public DNS server, and TCP to the loopback ports host services use (Redis 6379, the API 3000, SSH
22, over 127.0.0.1 and ::1): a shared network namespace would reach the worker Redis.
Expected safe outcome: every connect fails (ENETUNREACH, ECONNREFUSED, EHOSTUNREACH, or a time-out
shown as ETIMEDOUT); only `lo` exists; there is no default route. Control: a listener on the run
own loopback accepts a connection.
"""
import errno
import json
import os


from facts import attempt, fact


import socket


def tcp(host, port, family=socket.AF_INET):
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(2)
        s.connect((host, port))


def udp(host, port):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(2)
        s.sendto(b"\x00" * 12, (host, port))
        s.recvfrom(512)


def timed(check, fn):
    try:
        fn()
        fact(check, True)
    except socket.timeout:
        fact(check, False, errno.ETIMEDOUT)
    except OSError as e:
        fact(check, False, e.errno or 0)


timed("tcp-public", lambda: tcp("1.1.1.1", 443))
timed("tcp-private", lambda: tcp("10.0.0.1", 6379))
timed("tcp-metadata", lambda: tcp("169.254.169.254", 80))
timed("udp-public-dns", lambda: udp("8.8.8.8", 53))
for port in (6379, 3000, 22):
    timed(f"tcp-loopback4-{port}", lambda: tcp("127.0.0.1", port))
    timed(f"tcp-loopback6-{port}", lambda: tcp("::1", port, socket.AF_INET6))
with socket.socket() as server:
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    timed("tcp-own-listener-control", lambda: tcp("127.0.0.1", server.getsockname()[1]))
# /proc/net/dev lists the run's own namespace; socket.if_nameindex needs netlink, refused since T65.
with open("/proc/net/dev") as f:
    names = [line.split(":")[0].strip() for line in f.read().splitlines()[2:]]
fact("only-lo", names == ["lo"], interfaces=names)
with open("/proc/net/route") as f:
    routes = [line.split() for line in f.read().splitlines()[1:]]
fact("default-route", any(r[1] == "00000000" for r in routes if len(r) > 1))
