/* T37 How: io_uring_setup: io_uring runs syscalls asynchronously, out of the seccomp filter view, and is a frequent
 * source of kernel bugs. Expected safe outcome: every call fails (EPERM from the seccomp deny group; ENOSYS/EACCES also
 * acceptable) or the process is killed by seccomp. Control: getpid through syscall() succeeds. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
  char params[120];
  memset(params, 0, sizeof params);
  TRY("io-uring-setup", syscall(425 /* io_uring_setup */, 8, params));
  TRY("io-uring-enter", syscall(426 /* io_uring_enter */, 0, 1, 0, 0, NULL, 0));
  TRY("io-uring-register", syscall(427 /* io_uring_register */, 0, 0, NULL, 0));
  TRY("getpid-control", syscall(SYS_getpid));
  return 0;
}
