/*
 * The run's filesystem: a read-only overlay of the image layers, one size-limited tmpfs behind
 * /box, /tmp and /dev/shm, a minimal /dev, a fresh /proc with sensitive entries masked, no /sys,
 * then pivot_root with the old root detached. Runs as container root in the run's namespaces.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sbx.h"

/* The staging tmpfs is mounted here in the run's private mount namespace only. */
#define STAGE "/tmp"
#define ROOT STAGE "/root"
#define MASK_DIR STAGE "/mask"
/* The top layer of the root: the mount points the run needs, whatever the image holds. */
#define SKEL STAGE "/skel"

static int do_mount(const char *src, const char *dst, const char *type, unsigned long flags, const char *data,
                    sbx_error_t *err) {
  if (mount(src, dst, type, flags, data) < 0)
    return sbx_error_set(err, SBX_PHASE_SETUP, errno, "mount %s on %s (%s)", src ? src : "-", dst,
                         type ? type : "bind");
  return 0;
}

static int make_dir(const char *path, mode_t mode, sbx_error_t *err) {
  if (mkdir(path, mode) < 0 && errno != EEXIST) return sbx_error_set(err, SBX_PHASE_SETUP, errno, "mkdir %s", path);
  return 0;
}

int sbx_mount_open_layers(const sbx_spec_t *spec, int *layer_fds, sbx_error_t *err) {
  /*
   * Opened before the staging tmpfs goes over /tmp: layers may live under /tmp (tests) and would
   * be hidden. The overlay then names them as /proc/self/fd/N, which also keeps the option
   * string far below the one-page limit.
   */
  for (uint32_t i = 0; i < spec->n_layers; i++) {
    layer_fds[i] = open(spec->layers[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (layer_fds[i] < 0) return sbx_error_set(err, SBX_PHASE_SETUP, errno, "open layer %s", spec->layers[i]);
  }
  return 0;
}

static int mount_stage(const sbx_spec_t *spec, sbx_error_t *err) {
  char opts[128];
  int r;
  uint64_t inodes = spec->limits.tmpfs_bytes / 4096 < 1024 ? 1024 : spec->limits.tmpfs_bytes / 4096;
  /* One tmpfs: /box, /tmp and /dev/shm share one size budget (T17, T18). */
  snprintf(opts, sizeof(opts), "size=%" PRIu64 ",nr_inodes=%" PRIu64 ",mode=0755", spec->limits.tmpfs_bytes, inodes);
  if ((r = do_mount("sbx-stage", STAGE, "tmpfs", MS_NOSUID | MS_NODEV, opts, err)) < 0) return r;
  static const char *dirs[] = {SKEL, SKEL "/proc", SKEL "/dev",  SKEL "/box", SKEL "/tmp",
                               ROOT, STAGE "/box", STAGE "/tmp", STAGE "/shm"};
  for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
    if ((r = make_dir(dirs[i], 0755, err)) < 0) return r;
  /* Stays empty: the source of the /proc directory masks (mount_proc). */
  if ((r = make_dir(MASK_DIR, 0555, err)) < 0) return r;
  /*
   * Sticky world-writable, like any /tmp; the program is the only user anyway. /box too, owned by
   * container root (T71): the program creates and changes its own files there, but cannot
   * rename, replace or unlink the read-only stage files (root's: the compiled binary, a
   * checker's inputs) whatever it does to the directory entries.
   */
  if (chmod(STAGE "/box", 01777) < 0 || chmod(STAGE "/tmp", 01777) < 0 || chmod(STAGE "/shm", 01777) < 0)
    return sbx_error_set(err, SBX_PHASE_SETUP, errno, "chmod box/tmp");
  return 0;
}

static int mount_overlay(const sbx_spec_t *spec, const int *layer_fds, sbx_error_t *err) {
  char opts[4096];
  /*
   * Lower layers only, the skeleton on top: the root is read-only for the whole run anyway, and
   * an overlay without upper and work directories skips their setup and checks at mount and
   * their cleanup at teardown. overlay wants the top layer first; the spec lists the base first.
   */
  size_t off = (size_t)snprintf(opts, sizeof(opts), "lowerdir=" SKEL ":");
  for (uint32_t i = spec->n_layers; i-- > 0;)
    off += (size_t)snprintf(opts + off, sizeof(opts) - off, "/proc/self/fd/%d%s", layer_fds[i], i ? ":" : "");
  /* userxattr: inside a user namespace overlay may only use user.* xattrs (opaque dirs, whiteouts). */
  snprintf(opts + off, sizeof(opts) - off, ",userxattr");
  return do_mount("sbx-root", ROOT, "overlay", MS_NOSUID | MS_NODEV, opts, err);
}

static int bind(const char *src, const char *dst, unsigned long extra, sbx_error_t *err) {
  int r = do_mount(src, dst, NULL, MS_BIND, NULL, err);
  if (r < 0 || !extra) return r;
  return do_mount(NULL, dst, NULL, MS_REMOUNT | MS_BIND | extra, NULL, err);
}

/*
 * A /proc entry this kernel lacks is skipped: the mount's own lookup tells (ENOENT), which
 * spares every run a separate access() walk per entry. Any other failure is the run's error.
 */
static int mount_if_present(const char *src, const char *dst, const char *type, unsigned long flags, const char *data,
                            sbx_error_t *err) {
  if (mount(src, dst, type, flags, data) == 0) return 1;
  if (errno == ENOENT) return 0;
  return sbx_error_set(err, SBX_PHASE_SETUP, errno, "mount %s on %s (%s)", src ? src : "-", dst, type ? type : "bind");
}

static int bind_host_nodes(sbx_error_t *err) {
  static const char *nodes[] = {"null", "zero", "full", "random", "urandom"};
  char path[128], host[64];
  int r;
  if ((r = do_mount("sbx-dev", ROOT "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "size=64k,nr_inodes=64,mode=0755", err)))
    return r;
  /*
   * Rootless: bind-mounted host nodes, since mknod is impossible in a user namespace and only
   * these five exist (T25). Their inodes are the host's (T66): read-only binds, so no run can
   * change their timestamps (device I/O needs no writable mount); the run profiles close the
   * lock, lease and notify channels on them. No tty, no ptmx, no block device.
   */
  for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
    snprintf(path, sizeof(path), ROOT "/dev/%s", nodes[i]);
    snprintf(host, sizeof(host), "/dev/%s", nodes[i]);
    int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0666);
    if (fd < 0) return sbx_error_set(err, SBX_PHASE_SETUP, errno, "create %s", path);
    close(fd);
    if ((r = bind(host, path, MS_RDONLY | MS_NOSUID | MS_NOEXEC, err)) < 0) return r;
  }
  cleanup_close int dir = open(ROOT "/dev", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return sbx_error_set(err, SBX_PHASE_SETUP, errno, "open %s", ROOT "/dev");
  if ((r = sbx_dev_make_links(dir, err)) < 0) return r;
  /* Read-only: the program can create nothing in /dev (its nodes stay writable: other mounts). */
  return do_mount(NULL, ROOT "/dev", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NOEXEC, NULL, err);
}

static int mount_dev(int dev_fd, sbx_error_t *err) {
  int r;
  /* T66: a privileged worker made this run its own nodes (dev.c), already read-only. */
  r = dev_fd >= 0 ? sbx_dev_attach(dev_fd, ROOT "/dev", err) : bind_host_nodes(err);
  if (r < 0) return r;
  return bind(STAGE "/shm", ROOT "/dev/shm", MS_NOSUID | MS_NODEV, err);
}

/*
 * user.max_user_namespaces is counted per user namespace: 0 in the run's namespace means the
 * program cannot create nested ones (and gain capabilities over new mount/net namespaces there)
 * even under a permissive seccomp profile (T30). Written before /proc/sys turns read-only.
 */
static int deny_nested_userns(sbx_error_t *err) {
  cleanup_close int fd = open(ROOT "/proc/sys/user/max_user_namespaces", O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, "0", 1) != 1) return sbx_error_set(err, SBX_PHASE_SETUP, errno, "limit user namespaces to 0");
  return 0;
}

static int mount_proc(sbx_error_t *err) {
  /* Kernel addresses, keys, timers, scheduler internals, sysrq (T48, T49). */
  static const char *masked_files[] = {"kcore", "kallsyms", "keys", "key-users", "timer_list", "sched_debug",
                                       "sysrq-trigger", "latency_stats", "timer_stats", "kpagecount", "kpageflags",
                                       "kpagecgroup", "config.gz", "kmsg", "vmallocinfo",
                                       /* T70: per-cpu interrupt, softirq and scheduler counters
                                        * (other runs' activity, host devices), every file lock
                                        * of the host (the T66 channel by another name), the
                                        * host's boot id. Other global counters (vmstat,
                                        * zoneinfo, diskstats, ...) stay: each mask is a mount
                                        * on every run's path (≈ 1 ms for 9 more, measured in
                                        * an A/B under load),
                                        * and they are T62's side channels. */
                                       "interrupts", "softirqs", "schedstat", "locks", "sys/kernel/random/boot_id"};
  /* T70: /proc/pressure is host-wide PSI, and its files accept triggers (a kernel poller each). */
  static const char *masked_dirs[] = {"acpi", "scsi", "asound", "firmware", "driver", "pressure"};
  static const char *readonly[] = {"sys", "bus", "fs", "irq"};
  char path[128];
  int r;
  if ((r = do_mount("proc", ROOT "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err)) < 0) return r;
  if ((r = deny_nested_userns(err)) < 0) return r;
  /* Read-only binds before the masks: a bind of /proc/sys would hide a mask made under it. */
  for (size_t i = 0; i < sizeof(readonly) / sizeof(readonly[0]); i++) {
    snprintf(path, sizeof(path), ROOT "/proc/%s", readonly[i]);
    if ((r = mount_if_present(path, path, NULL, MS_BIND, NULL, err)) < 0) return r;
    if (r && (r = do_mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL,
                           err)) < 0)
      return r;
  }
  /* The masks' source, checked once: its ENOENT must never pass for a missing target's. */
  if (access(ROOT "/dev/null", F_OK) < 0) return sbx_error_set(err, SBX_PHASE_SETUP, errno, "mask source /dev/null");
  for (size_t i = 0; i < sizeof(masked_files) / sizeof(masked_files[0]); i++) {
    snprintf(path, sizeof(path), ROOT "/proc/%s", masked_files[i]);
    if ((r = mount_if_present(ROOT "/dev/null", path, NULL, MS_BIND, NULL, err)) < 0) return r;
  }
  /* The stage's empty directory, bound read-only onto the first masked directory; every other
   * one is bound from that first mask and inherits its read-only flags. No superblock of its
   * own: binds cost a fraction of one, at setup and at teardown. */
  const char *first_mask = NULL;
  char first[128];
  for (size_t i = 0; i < sizeof(masked_dirs) / sizeof(masked_dirs[0]); i++) {
    snprintf(path, sizeof(path), ROOT "/proc/%s", masked_dirs[i]);
    if ((r = mount_if_present(first_mask ? first_mask : MASK_DIR, path, NULL, MS_BIND, NULL, err)) < 0) return r;
    if (r == 0 || first_mask) continue;
    if ((r = do_mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL,
                      err)) < 0)
      return r;
    snprintf(first, sizeof(first), "%s", path);
    first_mask = first;
  }
  return 0;
}

static int pivot(sbx_error_t *err) {
  if (chdir(ROOT) < 0) return sbx_error_set(err, SBX_PHASE_SETUP, errno, "chdir new root");
  /* pivot_root(".", "."): the old root ends up stacked under the new one and is then detached,
   * so no path, fd or mount of the host remains reachable (T22, T47). */
  if (syscall(SYS_pivot_root, ".", ".") < 0) return sbx_error_set(err, SBX_PHASE_SETUP, errno, "pivot_root");
  if (umount2(".", MNT_DETACH) < 0) return sbx_error_set(err, SBX_PHASE_SETUP, errno, "detach old root");
  if (chdir("/") < 0) return sbx_error_set(err, SBX_PHASE_SETUP, errno, "chdir /");
  return 0;
}

/*
 * T70: the image's /etc/hostname may name the host that built it; the run reads the name it was
 * given instead: a file on the stage tmpfs bound over it (the image's own files belong to host
 * root, which container root cannot write through the overlay). An image without one gets none.
 */
static int mount_hostname(const sbx_spec_t *spec, sbx_error_t *err) {
  struct stat st;
  if (lstat(ROOT "/etc/hostname", &st) < 0 || !S_ISREG(st.st_mode)) return 0;
  cleanup_close int fd = open(STAGE "/hostname", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return sbx_error_set(err, SBX_PHASE_SETUP, errno, "create hostname file");
  size_t len = strlen(spec->hostname);
  if (write(fd, spec->hostname, len) != (ssize_t)len || write(fd, "\n", 1) != 1)
    return sbx_error_set(err, SBX_PHASE_SETUP, errno ? errno : EIO, "write hostname file");
  return bind(STAGE "/hostname", ROOT "/etc/hostname", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, err);
}

int sbx_mount_rootfs(const sbx_spec_t *spec, const int *layer_fds, int dev_fd, sbx_error_t *err) {
  int r;
  /* Nothing we mount may propagate back to the host's mount namespace. */
  if ((r = do_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL, err)) < 0) return r;
  if ((r = mount_stage(spec, err)) < 0) return r;
  if ((r = mount_overlay(spec, layer_fds, err)) < 0) return r;
  if ((r = bind(STAGE "/box", ROOT "/box", MS_NOSUID | MS_NODEV, err)) < 0) return r;
  if ((r = bind(STAGE "/tmp", ROOT "/tmp", MS_NOSUID | MS_NODEV, err)) < 0) return r;
  /* /dev before /proc: the proc masks bind the new /dev/null. */
  if ((r = mount_dev(dev_fd, err)) < 0) return r;
  if ((r = mount_proc(err)) < 0) return r;
  if ((r = mount_hostname(spec, err)) < 0) return r;
  return pivot(err);
}

int sbx_mount_finish_readonly(sbx_error_t *err) {
  /* The image is read-only for everyone inside (T21, T52); /box and /tmp are separate mounts. */
  return do_mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL, err);
}
