/* T17 disk fill. How: write 1 MiB blocks into /tmp until a write fails, trying to fill the host disk.
 * Expected safe outcome: the write fails with ENOSPC (or EDQUOT/EFBIG) at the tmpfs size, or the
 * run ends MEMORY_LIMIT; the host disk is untouched. The program deletes the file and exits 0. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

int main(void) {
  static char buf[1 << 20];
  memset(buf, 0x5a, sizeof buf);
  /* RLIMIT_FSIZE raises SIGXFSZ before EFBIG; ignoring it turns the refusal into an errno to report. */
  signal(SIGXFSZ, SIG_IGN);
  int fd = open("/tmp/t17-fill", O_WRONLY | O_CREAT | O_TRUNC, 0600);
  fact("tmp-open", fd >= 0, errno);
  if (fd < 0) return 1;
  long mib = 0;
  for (;; mib++) {
    errno = 0;
    ssize_t n = write(fd, buf, sizeof buf);
    /* A full filesystem first answers with a short write (errno untouched); the next write says why. */
    if (n >= 0 && n < (ssize_t)sizeof buf) n = write(fd, buf, sizeof buf);
    if (n != (ssize_t)sizeof buf) break;
    if (mib == 0) fact("first-mib-written", 1, 0);
  }
  fact("write-unbounded", 0, errno);
  printf("{\"writtenMiB\":%ld}\n", mib);
  unlink("/tmp/t17-fill");
  return 0;
}
