"""T66 host device inodes shared between runs (rootless worker). How: a rootless worker cannot
mknod, so /dev/null is a bind mount of the host's own inode: take flock and fcntl locks on it
(LOCK_NB, so a lock held by the host or another run shows as EWOULDBLOCK), take a lease, and watch
it with inotify (every write to /dev/null on the host would raise an event). Expected safe outcome
on a rootless worker: each call is refused (ENOSYS from seccomp: the rootless profile has no lock,
lease or notify calls). Control: writing to /dev/null works. On a privileged worker the nodes are
the run's own, so the locks succeed and see no one else.
"""
import ctypes
import errno
import fcntl
import json
import os
import struct


from facts import attempt, fact


fd = os.open("/dev/null", os.O_RDWR)
attempt("write-dev-null-control", lambda: os.write(fd, b"x"))
attempt("flock-dev-null", lambda: fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB))
attempt("fcntl-setlk-dev-null", lambda: fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB))
attempt("fcntl-getlk-dev-null", lambda: fcntl.fcntl(fd, fcntl.F_GETLK, struct.pack("hhllhh", fcntl.F_WRLCK, 0, 0, 0, 0, 0)))
attempt("fcntl-setlease-dev-null", lambda: fcntl.fcntl(fd, 1024, fcntl.F_RDLCK))
libc = ctypes.CDLL(None, use_errno=True)
ino = libc.inotify_init1(0)
fact("inotify-init", ino >= 0, ctypes.get_errno())
if ino >= 0:
    wd = libc.inotify_add_watch(ino, b"/dev/null", 0x2)
    fact("inotify-watch-dev-null", wd >= 0, ctypes.get_errno())
