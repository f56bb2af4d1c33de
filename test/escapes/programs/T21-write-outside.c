/* T21 write outside the scratch areas. How: create or open for writing files under /, /etc, /usr,
 * /bin/sh and the dynamic loader, hoping the root filesystem (or the image under it) is writable.
 * Expected safe outcome: every write fails with EROFS (or EACCES/EPERM/ETXTBSY); the controls
 * (creating a file in /tmp and in the work directory) succeed. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static void try_create(const char *check, const char *path, int flags) {
  errno = 0;
  int fd = open(path, flags, 0644);
  fact(check, fd >= 0, errno);
  if (fd >= 0) {
    close(fd);
    if (flags & O_CREAT) unlink(path);
  }
}

int main(void) {
  try_create("create-root", "/t21-marker", O_WRONLY | O_CREAT | O_EXCL);
  try_create("create-etc", "/etc/t21-marker", O_WRONLY | O_CREAT | O_EXCL);
  try_create("create-usr-bin", "/usr/bin/t21-marker", O_WRONLY | O_CREAT | O_EXCL);
  try_create("write-bin-sh", "/bin/sh", O_WRONLY);
  try_create("write-etc-passwd", "/etc/passwd", O_WRONLY | O_APPEND);
  try_create("write-ld-so", "/lib64/ld-linux-x86-64.so.2", O_WRONLY);
  TRY("mkdir-etc", mkdir("/etc/t21-dir", 0755));
  TRY("rename-etc-hosts", rename("/etc/hosts", "/etc/hosts.t21"));
  try_create("create-tmp", "/tmp/t21-marker", O_WRONLY | O_CREAT | O_EXCL);
  try_create("create-workdir", "t21-marker", O_WRONLY | O_CREAT | O_EXCL);
  return 0;
}
