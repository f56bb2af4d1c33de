/* T31 mount family. How: mount a tmpfs, unmount /proc (to uncover masked paths), pivot_root,
 * chroot, and the new mount API (fsopen, open_tree, move_mount, fspick, mount_setattr).
 * Expected safe outcome: all fail with EPERM (or ENOSYS), or the process is killed by seccomp.
 * Control: creating the target directory in /tmp succeeds. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
  TRY("mkdir-target", mkdir("/tmp/t31", 0700));
  TRY("mount-tmpfs", mount("none", "/tmp/t31", "tmpfs", 0, NULL));
  TRY("mount-proc", mount("proc", "/tmp/t31", "proc", 0, NULL));
  TRY("mount-bind-root", mount("/", "/tmp/t31", NULL, MS_BIND | MS_REC, NULL));
  TRY("remount-root-rw", mount(NULL, "/", NULL, MS_REMOUNT, NULL));
  TRY("umount-proc", umount2("/proc", MNT_DETACH));
  TRY("pivot-root", syscall(SYS_pivot_root, "/tmp", "/tmp/t31"));
  TRY("chroot", chroot("/tmp"));
  TRY("fsopen", syscall(430 /* fsopen */, "tmpfs", 0));
  TRY("open-tree", syscall(428 /* open_tree */, AT_FDCWD, "/", 1 /* OPEN_TREE_CLONE */));
  TRY("move-mount", syscall(429 /* move_mount */, AT_FDCWD, "/proc", AT_FDCWD, "/tmp/t31", 0));
  TRY("fspick", syscall(433 /* fspick */, AT_FDCWD, "/", 0));
  TRY("mount-setattr", syscall(442 /* mount_setattr */, AT_FDCWD, "/", 0, NULL, 0));
  return 0;
}
