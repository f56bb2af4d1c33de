/* T51 leaked fds and a cwd outside the root (CVE-2024-21626 class). How: look for any fd above 2
 * inherited from the worker or the helper (a leaked directory fd lets openat(fd, "..") walk the host
 * filesystem), probe fds 3..1023, and check that the cwd and ".." chains stay inside the sandbox.
 * Expected safe outcome: only fds 0, 1, 2 are open; the cwd is inside the sandbox root (under
 * /box) and its ".." chain ends at the sandbox root. Control: fd 0 is valid. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void) {
  TRY("fd0-valid-control", fcntl(0, F_GETFD));
  int leaked = 0;
  for (int fd = 3; fd < 1024; fd++) {
    if (fcntl(fd, F_GETFD) != -1) {
      char link[64], target[256] = "";
      snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
      ssize_t n = readlink(link, target, sizeof target - 1);
      if (n > 0) target[n] = 0;
      printf("{\"leakedFd\":%d,\"target\":\"%s\"}\n", fd, target);
      leaked++;
    }
  }
  fact("inherited-fd-above-2", leaked > 0, 0);
  char cwd[4096];
  if (getcwd(cwd, sizeof cwd) == NULL) {
    fact("cwd-reachable", 0, errno);
    return 0;
  }
  printf("{\"cwd\":\"%s\"}\n", cwd);
  fact("cwd-under-box", strncmp(cwd, "/box", 4) == 0, 0);
  struct stat root, up;
  stat("/", &root);
  int dir = open(".", O_RDONLY | O_DIRECTORY);
  for (int i = 0; i < 64 && dir >= 0; i++) {
    int parent = openat(dir, "..", O_RDONLY | O_DIRECTORY);
    close(dir);
    dir = parent;
  }
  fstat(dir, &up);
  fact("dotdot-chain-ends-at-root", up.st_ino == root.st_ino && up.st_dev == root.st_dev, 0);
  return 0;
}
