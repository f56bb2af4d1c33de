"""T47 mount layout. How: parse /proc/self/mountinfo for read-write mounts of host block filesystems
(ext4, xfs, btrfs) or of the host root, which would let the program change host files.
Expected safe outcome: no read-write mount of a block filesystem; / is read-only; host paths are
information only. Control: mountinfo is readable.
"""
import errno
import json
import os


from facts import attempt, fact


BLOCK = {"ext2", "ext3", "ext4", "xfs", "btrfs", "f2fs", "vfat", "zfs"}
attempt("read-mountinfo-control", lambda: open("/proc/self/mountinfo").read())
rw_block, root_ro = [], False
with open("/proc/self/mountinfo") as f:
    for line in f:
        left, right = line.split(" - ", 1)
        fields, fstype = left.split(), right.split()[0]
        mountpoint, options = fields[4], fields[5].split(",")
        if fstype in BLOCK and "rw" in options:
            rw_block.append(f"{mountpoint}:{fstype}")
        if mountpoint == "/":
            root_ro = "ro" in options
fact("rw-block-fs-mount", bool(rw_block), mounts=rw_block)
fact("root-read-only", root_ro)
