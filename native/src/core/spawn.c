/*
 * Starting sbx-init from the (large, multi-threaded) Node process. posix_spawn uses
 * CLONE_VM|CLONE_VFORK in glibc, so the parent is never copied (PERF.md: plain fork of a
 * 256 MiB parent costs 9 ms). The spec travels in a memfd, so its size never blocks a pipe.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sbx-spawn.h"

extern char **environ;

static int move_high(int fd) {
  /* Above every target slot (0-6), so no dup2 of the file actions clobbers a later source. */
  int high = fcntl(fd, F_DUPFD_CLOEXEC, 10);
  close(fd);
  return high;
}

static int make_spec_fd(const uint8_t *buf, size_t len, sbx_error_t *err) {
  int fd = memfd_create("sbx-spec", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return sbx_error_set(err, SBX_PHASE_SPAWN, errno, "memfd_create");
  size_t off = 0;
  while (off < len) {
    ssize_t w = write(fd, buf + off, len - off);
    if (w < 0) {
      int e = errno;
      close(fd);
      return sbx_error_set(err, SBX_PHASE_SPAWN, e, "write spec");
    }
    off += (size_t)w;
  }
  fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
  return fd;
}

static void close_all(int *fds, int n) {
  for (int i = 0; i < n; i++)
    if (fds[i] >= 0) close(fds[i]);
}

static int do_spawn(const char *helper, const int child_fds[7], pid_t *pid, sbx_error_t *err) {
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawn_file_actions_init(&fa);
  for (int i = 0; i < 7; i++)
    if (child_fds[i] >= 0) posix_spawn_file_actions_adddup2(&fa, child_fds[i], i);
  /* Only fds 0-6 cross into the helper, even if some library left a fd without CLOEXEC. */
  posix_spawn_file_actions_addclosefrom_np(&fa, 7);
  posix_spawnattr_init(&attr);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  char *const argv[] = {(char *)"sbx-init", NULL};
  char *const envp[] = {NULL};
  int r = posix_spawn(pid, helper, &fa, &attr, argv, envp);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (r != 0) return sbx_error_set(err, SBX_PHASE_SPAWN, r, "posix_spawn %.120s", helper);
  return 0;
}

int sbx_spawn_init(const char *helper, const uint8_t *spec, size_t spec_len, int userns_fd, int netns_fd,
                   sbx_child_t *out, sbx_error_t *err) {
  int in[2] = {-1, -1}, o[2] = {-1, -1}, e[2] = {-1, -1}, rep[2] = {-1, -1};
  int r;
  memset(out, 0, sizeof(*out));
  if (pipe2(in, O_CLOEXEC) < 0 || pipe2(o, O_CLOEXEC) < 0 || pipe2(e, O_CLOEXEC) < 0 || pipe2(rep, O_CLOEXEC) < 0) {
    r = sbx_error_set(err, SBX_PHASE_SPAWN, errno, "pipe2");
    goto fail;
  }
  int spec_fd = make_spec_fd(spec, spec_len, err);
  if (spec_fd < 0) {
    r = spec_fd;
    goto fail;
  }
  int child_fds[7] = {move_high(in[0]), move_high(o[1]), move_high(e[1]), move_high(spec_fd), move_high(rep[1]),
                      userns_fd >= 0 ? fcntl(userns_fd, F_DUPFD_CLOEXEC, 10) : -1,
                      netns_fd >= 0 ? fcntl(netns_fd, F_DUPFD_CLOEXEC, 10) : -1};
  in[0] = o[1] = e[1] = rep[1] = -1;
  r = do_spawn(helper, child_fds, &out->pid, err);
  /* The helper holds its own copies now; ours must go so EOF and EPIPE work. */
  close_all(child_fds, 7);
  if (r < 0) goto fail;
  out->pidfd = (int)syscall(SYS_pidfd_open, out->pid, 0);
  if (out->pidfd < 0) {
    r = sbx_error_set(err, SBX_PHASE_SPAWN, errno, "pidfd_open");
    kill(out->pid, SIGKILL);
    goto fail;
  }
  out->stdin_fd = in[1];
  out->stdout_fd = o[0];
  out->stderr_fd = e[0];
  out->report_fd = rep[0];
  int fds[4] = {in[1], o[0], e[0], rep[0]};
  for (int i = 0; i < 4; i++) fcntl(fds[i], F_SETFL, O_NONBLOCK);
  return 0;
fail:;
  int all[8] = {in[0], in[1], o[0], o[1], e[0], e[1], rep[0], rep[1]};
  close_all(all, 8);
  return r;
}
