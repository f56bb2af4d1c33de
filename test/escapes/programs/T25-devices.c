/* T25 device nodes. How: mknod a /dev/mem-like char device and a block device in /tmp, open
 * /dev/mem, /dev/kmem, /dev/port, /dev/kvm, /dev/net/tun, /dev/fuse and common disks, and list /dev.
 * Expected safe outcome: mknod of devices fails (EPERM, or ENOSYS from seccomp); none of the nodes
 * opens; /dev holds only null/zero/full/random/urandom/tty/ptmx-class nodes. Controls: /dev/null
 * opens, and mkfifo (a FIFO node) succeeds. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static const char *SAFE[] = {".",   "..",  "null", "zero",  "full",   "random", "urandom", "tty",    "ptmx",
                             "pts", "shm", "fd",   "stdin", "stdout", "stderr", "core",    "mqueue", NULL};

static int is_safe(const char *name) {
  for (int i = 0; SAFE[i]; i++)
    if (strcmp(SAFE[i], name) == 0) return 1;
  return 0;
}

int main(void) {
  TRY("mknod-char-mem", mknod("/tmp/t25-mem", S_IFCHR | 0600, makedev(1, 1)));
  TRY("mknod-block", mknod("/tmp/t25-sda", S_IFBLK | 0600, makedev(8, 0)));
  TRY("mkfifo", mkfifo("/tmp/t25-fifo", 0600));
  const char *nodes[] = {"/dev/mem",   "/dev/kmem",        "/dev/port", "/dev/kvm",     "/dev/net/tun",
                         "/dev/fuse",  "/dev/sda",         "/dev/vda",  "/dev/nvme0n1", "/dev/xvda",
                         "/dev/loop0", "/dev/userfaultfd", NULL};
  for (int i = 0; nodes[i]; i++) {
    char check[64];
    snprintf(check, sizeof check, "open-%s", nodes[i] + 5);
    for (char *c = check; *c; c++)
      if (*c == 0x2f) *c = 0x2d;
    TRY(check, open(nodes[i], O_RDWR));
  }
  TRY("open-dev-null", open("/dev/null", O_RDWR));
  DIR *d = opendir("/dev");
  int only_safe = d != NULL;
  for (struct dirent *e; d && (e = readdir(d));) {
    if (!is_safe(e->d_name)) {
      only_safe = 0;
      printf("{\"unexpectedDevEntry\":\"%s\"}\n", e->d_name);
    }
  }
  fact("dev-only-safe-nodes", only_safe, 0);
  return 0;
}
