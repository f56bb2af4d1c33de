/* T32 setns into another namespace. How: open the /proc/1/ns/ files (pid 1 of the run, and any other pid
 * visible) and setns() into them; with a leaked host namespace fd this would leave the sandbox.
 * Expected safe outcome: setns fails with EPERM (seccomp deny group; no CAP_SYS_ADMIN), or the open
 * fails. Control: opening the own /proc/self/ns/uts succeeds. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

int main(void) {
  int own = open("/proc/self/ns/uts", O_RDONLY);
  fact("open-own-ns", own >= 0, errno);
  if (own >= 0) TRY("setns-own-uts", setns(own, 0));
  const char *kinds[] = {"mnt", "user", "pid", "net", "ipc", "uts", "cgroup", NULL};
  for (int i = 0; kinds[i]; i++) {
    char path[64], check[64];
    snprintf(path, sizeof path, "/proc/1/ns/%s", kinds[i]);
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
      snprintf(check, sizeof check, "open-pid1-%s", kinds[i]);
      fact(check, 0, errno);
      continue;
    }
    snprintf(check, sizeof check, "setns-pid1-%s", kinds[i]);
    TRY(check, setns(fd, 0));
    close(fd);
  }
  return 0;
}
