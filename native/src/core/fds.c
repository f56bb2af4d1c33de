/* File descriptors and signal dispositions the program inherits. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sbx.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

int sbx_fds_close_from(int first_fd, sbx_error_t *err) {
  /*
   * Mark, not close: the exec-error pipe must stay open until execve succeeds, and CLOEXEC
   * guarantees the program starts with fds 0-2 only (no leaked worker fds, CVE-2024-21626).
   */
  if (syscall(SYS_close_range, (unsigned)first_fd, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return 0;
  DIR *d = opendir("/proc/self/fd");
  if (!d) return sbx_error_set(err, SBX_PHASE_SETUP, errno, "opendir /proc/self/fd");
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    int fd = atoi(e->d_name);
    if (fd >= first_fd && fd != dirfd(d)) fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
  closedir(d);
  return 0;
}

int sbx_fds_reset_signals(sbx_error_t *err) {
  /* The worker ignores SIGPIPE; ignored dispositions survive execve, so reset every one. */
  /* The raw syscall also reaches the two real-time signals glibc reserves for itself. */
  struct {
    void *handler;
    unsigned long flags;
    void *restorer;
    uint64_t mask;
  } dfl = {SIG_DFL, 0, NULL, 0};
  for (int sig = 1; sig <= 64; sig++) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof(uint64_t));
  }
  sigset_t none;
  sigemptyset(&none);
  if (sigprocmask(SIG_SETMASK, &none, NULL) < 0) return sbx_error_set(err, SBX_PHASE_SETUP, errno, "sigprocmask");
  return 0;
}
