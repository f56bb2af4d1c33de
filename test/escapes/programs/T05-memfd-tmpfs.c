/* T05 memory outside RSS. How: fill a memfd and a file in the /tmp tmpfs; their pages live in the
 * page cache/shmem, not in the process RSS, so a limit on RSS alone would miss them.
 * Expected safe outcome: shmem pages are charged to the run memory cgroup: MEMORY_LIMIT (or a
 * write failing with ENOSPC/ENOMEM at the tmpfs size); peak memory includes them. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

static int fill(int fd, const char *check) {
  static char buf[1 << 20];
  memset(buf, 0x5a, sizeof buf);
  for (long i = 0;; i++) {
    if (write(fd, buf, sizeof buf) < 0) {
      fact(check, 0, errno);
      return -1;
    }
    if (i == 0) fact("first-mib-written", 1, 0);
  }
}

int main(void) {
  int m = memfd_create("t05", MFD_CLOEXEC);
  fact("memfd-create", m >= 0, errno);
  int t = open("/tmp/t05-fill", O_WRONLY | O_CREAT | O_TRUNC, 0600);
  fact("tmp-open", t >= 0, errno);
  if (t >= 0) fill(t, "tmp-fill-unbounded");
  if (m >= 0) fill(m, "memfd-fill-unbounded");
  return 0;
}
