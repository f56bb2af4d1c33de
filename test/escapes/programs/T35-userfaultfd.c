/* T35 How: userfaultfd: the syscall and /dev/userfaultfd. Exploits use it to pause the kernel at a chosen page fault and win races.
 * Expected safe outcome: every call fails (EPERM from the seccomp deny group; ENOSYS/EACCES also
 * acceptable) or the process is killed by seccomp. Control: getpid through syscall() succeeds. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* One fact per line: ok = the operation succeeded (or the stated condition holds). */
static void fact(const char *check, int ok, int err) {
  const char *name = (ok || err == 0) ? "" : strerrorname_np(err);
  printf("{\"check\":\"%s\",\"ok\":%s,\"errno\":\"%s\"}\n", check, ok ? "true" : "false", name ? name : "?");
  fflush(stdout);
}

/* Records whether a call returning -1 on failure succeeded, with its errno. */
#define TRY(check, call) do { errno = 0; long r_ = (long)(call); fact(check, r_ != -1, errno); } while (0)
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
