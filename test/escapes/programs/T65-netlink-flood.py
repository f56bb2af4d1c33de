"""T65 kernel memory outside the memory cgroup, from Python's socket module. How: open
AF_NETLINK/NETLINK_ROUTE sockets and flood each with malformed requests without reading, so the
kernel's error replies pile up in receive queues the run's cgroup is not charged for.
Expected safe outcome: socket(AF_NETLINK) raises OSError (ENOSYS from seccomp), so nothing is queued; the host's
unreclaimable slab does not grow (checked from the host). Controls: a UDP socket opens, and
socket.if_nameindex (netlink inside) fails with an OSError instead of crashing the interpreter.
"""
import errno
import json
import socket
import struct
import time


from facts import fact


udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
fact("socket-udp-control", True)
try:
    socket.if_nameindex()
    fact("if-nameindex-fails-cleanly", True)
except OSError as e:
    fact("if-nameindex-fails-cleanly", True, e.errno or 0)

held = []
try:
    for _ in range(200):
        s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW | socket.SOCK_NONBLOCK, 0)
        held.append(s)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 30)
        junk = struct.pack("=IHHII", 16 + 64, 0x7777, 0x5, 0, 0) + b"\0" * 64
        for _ in range(5000):
            try:
                s.sendto(junk, (0, 0))
            except OSError:
                break
    fact("netlink-route-socket", True)
except OSError as e:
    fact("netlink-route-socket", False, e.errno or 0)
time.sleep(1)
