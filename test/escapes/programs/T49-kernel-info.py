"""T49 kernel information. How: read /proc/kcore, kernel symbol addresses in /proc/kallsyms, the
kernel log (/dev/kmsg), /proc/keys, /proc/timer_list, /proc/sched_debug and /sys/firmware; they
leak addresses (KASLR bypass) or host state.
Expected safe outcome: each is unreadable, masked (empty) or zeroed (kallsyms addresses all 0).
Control: /proc/self/stat is readable with content.
"""
import errno
import json
import os


from facts import attempt, fact


def content(path, size=4096):
    with open(path, "rb") as f:
        return f.read(size)


def readable_with_content(check, path):
    try:
        fact(check, len(content(path)) > 0)
    except OSError as e:
        fact(check, False, e.errno or 0)


readable_with_content("read-proc-self-stat-control", "/proc/self/stat")
for check, path in [("read-kcore", "/proc/kcore"), ("read-kmsg", "/dev/kmsg"), ("read-keys", "/proc/keys"),
                    ("read-timer-list", "/proc/timer_list"), ("read-sched-debug", "/proc/sched_debug"),
                    ("read-sysrq-trigger", "/proc/sysrq-trigger"), ("read-vmcoreinfo", "/sys/kernel/vmcoreinfo")]:
    readable_with_content(check, path)
try:
    lines = content("/proc/kallsyms", 1 << 16).decode(errors="replace").splitlines()
    fact("kallsyms-real-addresses", any(int(line.split()[0], 16) != 0 for line in lines if line.split()))
except OSError as e:
    fact("kallsyms-real-addresses", False, e.errno or 0)
try:
    fact("sys-firmware-listable", len(os.listdir("/sys/firmware")) > 0)
except OSError as e:
    fact("sys-firmware-listable", False, e.errno or 0)
