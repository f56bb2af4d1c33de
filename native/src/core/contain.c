/*
 * The containment sequence, in order. Two lists: what container pid 1 does once the outer helper
 * has mapped its ids and put it into the run's cgroup, and what the program's own process does
 * between fork and execve. Each line is one phase; comments give the reason wherever order matters.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "sbx.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static void close_layers(int *fds, uint32_t n) {
  for (uint32_t i = 0; i < n; i++)
    if (fds[i] >= 0) close(fds[i]);
}

/*
 * T70: offsets so the run's CLOCK_MONOTONIC and CLOCK_BOOTTIME (uptime, /proc/uptime) start near
 * zero instead of telling the host's uptime. Only possible before any process entered the new
 * time namespace, so right after the unshare and before the program's fork.
 */
static int offset_clocks(sbx_error_t *err) {
  struct timespec mono, boot;
  char text[96];
  clock_gettime(CLOCK_MONOTONIC, &mono);
  clock_gettime(CLOCK_BOOTTIME, &boot);
  int len = snprintf(text, sizeof(text), "%d %lld 0\n%d %lld 0\n", CLOCK_MONOTONIC, -(long long)mono.tv_sec,
                     CLOCK_BOOTTIME, -(long long)boot.tv_sec);
  cleanup_close int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, text, (size_t)len) != len)
    return sbx_error_set(err, SBX_PHASE_SETUP, errno, "timens_offsets");
  return 0;
}

int sbx_contain_pid1(const sbx_spec_t *spec, int dev_fd, sbx_error_t *err) {
  int r;
  int layer_fds[SBX_MAX_LAYERS];
  /* First: files we create below must be owned by a mapped id (container root). */
  if ((r = sbx_userns_become_root(err)) < 0) return r;
  /* After the cgroup join (done by the outer helper before it let us go), so the run's cgroup
   * is the root of what the program sees in /proc/self/cgroup. */
  if (unshare(CLONE_NEWCGROUP) < 0) return sbx_error_set(err, SBX_PHASE_SETUP, errno, "unshare(CLONE_NEWCGROUP)");
  /* Before the mounts: /proc is still the one inherited, writable for the namespace's owner,
   * while the run's own /proc/sys turns read-only. A pooled namespace came bounded (T65). */
  if (!(spec->flags & SBX_FLAG_NETNS_FD) && (r = sbx_net_bound_buffers(err)) < 0) return r;
  if (sethostname(spec->hostname, strlen(spec->hostname)) < 0)
    return sbx_error_set(err, SBX_PHASE_SETUP, errno, "sethostname");
  /* In our own mount namespace (overlay clones the lower mounts, which must be ours) and before
   * the staging tmpfs may hide them. */
  memset(layer_fds, -1, sizeof(layer_fds));
  r = sbx_mount_open_layers(spec, layer_fds, err);
  if (r == 0) r = sbx_mount_rootfs(spec, layer_fds, dev_fd, err);
  close_layers(layer_fds, spec->n_layers);
  if (r < 0) return r;
  if ((r = sbx_mount_finish_readonly(err)) < 0) return r;
  /* After pivot_root: the files land in the run's own /box and nowhere else. */
  if ((r = sbx_box_write_files(spec, err)) < 0) return r;
  /* A pooled namespace came with lo up, and is not ours to change (owned by the outer side). */
  if (!(spec->flags & SBX_FLAG_NETNS_FD) && (r = sbx_net_loopback_up(err)) < 0) return r;
  /* Takes effect for children only: the program forked next gets it. */
  if (spec->flags & SBX_FLAG_TIME_NS) {
    if (unshare(CLONE_NEWTIME) < 0) return sbx_error_set(err, SBX_PHASE_SETUP, errno, "unshare(CLONE_NEWTIME)");
    if ((r = offset_clocks(err)) < 0) return r;
  }
  return 0;
}

static const char *env_path(const sbx_spec_t *spec) {
  for (uint32_t i = 0; i < spec->envc; i++)
    if (strncmp(spec->env[i], "PATH=", 5) == 0) return spec->env[i] + 5;
  return "/usr/local/bin:/usr/bin:/bin";
}

/* execve over PATH from the spec's environment (not ours). Returns the most telling errno. */
static int exec_program(const sbx_spec_t *spec) {
  char *const *argv = (char *const *)spec->argv;
  char *const *envp = (char *const *)spec->env;
  const char *name = spec->argv[0];
  if (strchr(name, '/')) {
    execve(name, argv, envp);
    return errno;
  }
  int best = ENOENT;
  const char *p = env_path(spec);
  while (*p) {
    const char *end = strchrnul(p, ':');
    char path[4096];
    snprintf(path, sizeof(path), "%.*s/%s", (int)(end - p), p, name);
    execve(path, argv, envp);
    if (errno != ENOENT && errno != ENOTDIR) best = errno;
    p = *end ? end + 1 : end;
  }
  return best;
}

/*
 * T67: EOF on locked_fd once pid 1 has locked itself down, so no code of the program ever sees it
 * privileged. Waited for late, after our own setup: pid 1 is done by then and nothing sleeps.
 */
static void wait_for_supervisor(int locked_fd) {
  char byte;
  while (read(locked_fd, &byte, 1) < 0 && errno == EINTR) {
  }
  close(locked_fd);
}

int sbx_contain_exec_program(const sbx_spec_t *spec, int locked_fd, sbx_error_t *err) {
  int r;
  /* Own session: no controlling terminal to reach (T53). */
  setsid();
  if ((r = sbx_fds_reset_signals(err)) < 0) return r;
  if (chdir(spec->cwd[0] ? spec->cwd : "/box") < 0)
    return sbx_error_set(err, SBX_PHASE_SETUP, errno, "chdir %s", spec->cwd);
  if ((r = sbx_rlimit_apply(&spec->limits, err)) < 0) return r;
  /* ---- as unprivileged from here on ---- */
  if ((r = sbx_caps_drop_to_user(err)) < 0) return r;
  /* Before seccomp: an unprivileged process may only install a filter with no_new_privs, and it
   * also keeps setuid/file-capability binaries in the image from raising privileges (T42). */
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return sbx_error_set(err, SBX_PHASE_SETUP, errno, "no_new_privs");
  /* One pipe for both streams when asked: the kernel keeps the order of the program's writes,
   * which two pipes drained separately cannot give (Judge0's redirect, Piston's `output`). */
  if ((spec->flags & SBX_FLAG_MERGE_STDERR) && dup2(STDOUT_FILENO, STDERR_FILENO) < 0)
    return sbx_error_set(err, SBX_PHASE_SETUP, errno, "dup2 stdout to stderr");
  wait_for_supervisor(locked_fd);
  if ((r = sbx_fds_close_from(3, err)) < 0) return r;
  /* Last before execve: the profile may deny everything used above (runc's rule). */
  if ((r = sbx_seccomp_install(spec->bpf, spec->bpf_len, err)) < 0) return r;
  int e = exec_program(spec);
  return sbx_error_set(err, SBX_PHASE_EXEC, e, "execve %.100s", spec->argv[0]);
}
