/*
 * Fresh device nodes per run (T66). A privileged worker's outer helper (host root, host user
 * namespace) builds a detached tmpfs with its own null/zero/full/random/urandom nodes ahead of
 * demand; pid 1 attaches it as the run's /dev. Locks, leases, inotify watches and timestamps on
 * these inodes are then the run's alone. Device nodes made inside the run's user namespace could
 * never be opened (the kernel marks such superblocks nodev), hence the outer side.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "sbx.h"

static const struct {
  const char *name;
  unsigned major, minor;
} dev_nodes[] = {{"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8}, {"urandom", 1, 9}};

static const char *dev_links[][2] = {{"/proc/self/fd", "fd"},
                                     {"/proc/self/fd/0", "stdin"},
                                     {"/proc/self/fd/1", "stdout"},
                                     {"/proc/self/fd/2", "stderr"}};

static int make_tmpfs(sbx_error_t *err) {
  cleanup_close int fs = (int)syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
  if (fs < 0) return sbx_error_set(err, SBX_PHASE_SETUP, errno, "fsopen(tmpfs) for /dev");
  if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "size", "64k", 0) < 0 ||
      syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "nr_inodes", "64", 0) < 0 ||
      syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "mode", "0755", 0) < 0 ||
      syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return sbx_error_set(err, SBX_PHASE_SETUP, errno, "fsconfig(tmpfs) for /dev");
  /* No exec and no setuid from /dev; nodev stays off: these nodes are the point. */
  int mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
  if (mnt < 0) return sbx_error_set(err, SBX_PHASE_SETUP, errno, "fsmount /dev");
  return mnt;
}

int sbx_dev_make_links(int dir_fd, sbx_error_t *err) {
  for (size_t i = 0; i < sizeof(dev_links) / sizeof(dev_links[0]); i++)
    if (symlinkat(dev_links[i][0], dir_fd, dev_links[i][1]) < 0)
      return sbx_error_set(err, SBX_PHASE_SETUP, errno, "symlink /dev/%s", dev_links[i][1]);
  if (mkdirat(dir_fd, "shm", 0755) < 0) return sbx_error_set(err, SBX_PHASE_SETUP, errno, "mkdir /dev/shm");
  return 0;
}

int sbx_dev_fresh_possible(void) {
  /* CAP_MKNOD counts only in the initial user namespace, whose map is the identity over every id;
   * root of a container's user namespace makes nodes that never open, so it binds the host's. */
  char buf[128] = {0};
  cleanup_close int fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
  if (fd < 0 || read(fd, buf, sizeof(buf) - 1) < 0) return 0;
  unsigned long inside = 1, outside = 1, count = 0;
  return sscanf(buf, "%lu %lu %lu", &inside, &outside, &count) == 3 && inside == 0 && outside == 0 &&
         count == 4294967295UL;
}

int sbx_dev_make_fresh(sbx_error_t *err) {
  int mnt = make_tmpfs(err);
  if (mnt < 0) return mnt;
  for (size_t i = 0; i < sizeof(dev_nodes) / sizeof(dev_nodes[0]); i++) {
    /* Only these five harmless character devices (T25); the mode is set after the umask. */
    if (mknodat(mnt, dev_nodes[i].name, S_IFCHR | 0666, makedev(dev_nodes[i].major, dev_nodes[i].minor)) < 0 ||
        fchmodat(mnt, dev_nodes[i].name, 0666, 0) < 0) {
      int e = errno;
      close(mnt);
      return sbx_error_set(err, SBX_PHASE_SETUP, e, "mknod /dev/%s", dev_nodes[i].name);
    }
  }
  int r = sbx_dev_make_links(mnt, err);
  if (r < 0) {
    close(mnt);
    return r;
  }
  return mnt;
}

int sbx_dev_seal(int dev_fd, uint32_t uid, uint32_t gid, sbx_error_t *err) {
  /* Owned by container root rather than an unmapped id; the program cannot chmod them either way. */
  for (size_t i = 0; i < sizeof(dev_nodes) / sizeof(dev_nodes[0]); i++)
    if (fchownat(dev_fd, dev_nodes[i].name, uid, gid, 0) < 0)
      return sbx_error_set(err, SBX_PHASE_SETUP, errno, "chown /dev/%s", dev_nodes[i].name);
  if (fchownat(dev_fd, "", uid, gid, AT_EMPTY_PATH) < 0)
    return sbx_error_set(err, SBX_PHASE_SETUP, errno, "chown /dev");
  /* Read-only before the run may see it: the program can create nothing in /dev. */
  struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
  if (syscall(SYS_mount_setattr, dev_fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
    return sbx_error_set(err, SBX_PHASE_SETUP, errno, "mount_setattr(/dev, rdonly)");
  return 0;
}

int sbx_dev_attach(int dev_fd, const char *target, sbx_error_t *err) {
  if (syscall(SYS_move_mount, dev_fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
    return sbx_error_set(err, SBX_PHASE_SETUP, errno, "move_mount /dev");
  return 0;
}
