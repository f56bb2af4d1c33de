"""T53 controlling terminal and TIOCSTI. How: with a terminal on stdin, TIOCSTI pushes characters
into the terminal input queue, so a process could type commands into the shell of whoever owns the
terminal; stdio that are host files would be another door.
Expected safe outcome: no fd is a tty, /dev/tty cannot be opened (ENXIO/ENOENT), TIOCSTI fails;
stdin/stdout/stderr are pipes or /dev/null. Control: fstat of stdout succeeds.
"""
import errno
import json
import os


from facts import attempt, fact


import fcntl
import stat
import termios

for fd in (0, 1, 2):
    fact(f"fd{fd}-is-tty", os.isatty(fd))
    mode = os.fstat(fd).st_mode
    fact(f"fd{fd}-pipe-or-null", stat.S_ISFIFO(mode) or (stat.S_ISCHR(mode) and os.path.samefile(f"/proc/self/fd/{fd}", "/dev/null")))
attempt("fstat-stdout-control", lambda: os.fstat(1))
attempt("open-dev-tty", lambda: os.close(os.open("/dev/tty", os.O_RDWR)))
attempt("tiocsti-stdin", lambda: fcntl.ioctl(0, termios.TIOCSTI, b"x"))
