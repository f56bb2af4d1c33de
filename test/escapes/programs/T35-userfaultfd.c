/* T35 How: userfaultfd: the syscall and /dev/userfaultfd. Exploits use it to pause the kernel at a chosen page fault
 * and win races. Expected safe outcome: every call fails (EPERM from the seccomp deny group; ENOSYS/EACCES also
 * acceptable) or the process is killed by seccomp. Control: getpid through syscall() succeeds. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
  TRY("userfaultfd-syscall", syscall(SYS_userfaultfd, O_CLOEXEC));
  TRY("userfaultfd-syscall-user-only", syscall(SYS_userfaultfd, O_CLOEXEC | 1 /* UFFD_USER_MODE_ONLY */));
  TRY("open-dev-userfaultfd", open("/dev/userfaultfd", O_RDWR));
  TRY("getpid-control", syscall(SYS_getpid));
  return 0;
}
