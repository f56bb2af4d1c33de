/* T30 user namespace creation. How: unshare(CLONE_NEWUSER), raw clone(CLONE_NEWUSER) and clone3 with
 * CLONE_NEWUSER; a fresh user namespace grants full capabilities inside it, the usual first step of
 * a kernel exploit (netfilter, overlayfs, mount bugs).
 * Expected safe outcome: all fail (EPERM, ENOSYS or EINVAL) or the process is killed by seccomp.
 * Control: a plain fork (clone without namespace flags) succeeds. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static long raw_clone(unsigned long flags) {
  long r = syscall(SYS_clone, flags, 0, 0, 0, 0);
  if (r == 0) _exit(0);
  if (r > 0) waitpid((pid_t)r, NULL, 0);
  return r;
}

int main(void) {
  TRY("unshare-user", unshare(CLONE_NEWUSER));
  TRY("unshare-mount", unshare(CLONE_NEWNS));
  TRY("unshare-net", unshare(CLONE_NEWNET));
  TRY("clone-newuser", raw_clone(CLONE_NEWUSER | SIGCHLD));
  TRY("clone-newpid", raw_clone(CLONE_NEWPID | SIGCHLD));
  struct clone_args args;
  memset(&args, 0, sizeof args);
  args.flags = CLONE_NEWUSER;
  args.exit_signal = SIGCHLD;
  errno = 0;
  long r = syscall(SYS_clone3, &args, sizeof args);
  if (r == 0) _exit(0);
  fact("clone3-newuser", r > 0, errno);
  TRY("fork-plain", raw_clone(SIGCHLD));
  return 0;
}
