"""T60 interpreter-level escape with raw syscalls. How: Python ctypes calls libc syscall() directly
(unshare, mount, keyctl, bpf, ptrace, setns), bypassing any interpreter-level restriction.
Expected safe outcome: the same containment as native code: every call fails with EPERM (or
ENOSYS). Control: syscall(getpid) returns the real pid.
"""
import errno
import json
import os


from facts import attempt, fact


import ctypes

libc = ctypes.CDLL(None, use_errno=True)


def raw(check, nr, *args):
    ret = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) for a in args])
    fact(check, ret != -1, ctypes.get_errno() if ret == -1 else 0)
    return ret


fact("getpid-control", raw("syscall-getpid", 39) == os.getpid())
raw("unshare-newuser", 272, 0x10000000)
raw("mount-tmpfs", 165, 0, 0, 0, 0, 0)
raw("keyctl-get-session", 250, 0, -3, 0)
raw("bpf-map-create", 321, 0, 0, 0)
raw("ptrace-attach-pid1", 101, 16, 1, 0, 0)
raw("setns-zero", 308, 0, 0)
raw("clone3-zero", 435, 0, 0)
