/*
 * Starting sbx-init from the (large, multi-threaded) Node process, in two steps:
 *
 *   prepare  pipes, a spec socket, posix_spawn of sbx-init. The helper enters the outer user
 *            namespace and the ready network namespace, clones the run's namespaces, puts pid 1
 *            into the run's (fresh, limited) cgroup and waits for its spec. Done ahead of demand
 *            on the pool thread (or on demand when the pool is empty), so the exec of the helper
 *            and the clone are off the run's critical path.
 *   start    the spec, sealed in a memfd, sent over the socket: one copy for the outer helper and
 *            one for container pid 1 (each reads one message). From here on the helper is this
 *            run's alone; a prepared helper is never given a second spec.
 *
 * posix_spawn uses CLONE_VM|CLONE_VFORK in glibc, so the parent is never copied (PERF.md: plain
 * fork of a 256 MiB parent costs 9 ms). The spec travels in a memfd, so its size never blocks.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sbx-spawn.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

static int move_high(int fd) {
  /* Above every target slot (0-10), so no dup2 of the file actions clobbers a later source. */
  int high = fcntl(fd, F_DUPFD_CLOEXEC, 16);
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
  /* Sealed: the helper reads exactly what we wrote, and nobody can change it afterwards. */
  fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
  return fd;
}

static void close_all(int *fds, int n) {
  for (int i = 0; i < n; i++)
    if (fds[i] >= 0) close(fds[i]);
}

/* Opens the run's cgroup.procs files; returns how many (fds moved above the target slots). */
static int open_cgroup_procs(const sbx_cgroup_t *cg, int fds[SBX_MAX_CGROUP_DIRS], sbx_error_t *err) {
  char procs[SBX_MAX_CGROUP_DIRS][SBX_CGROUP_PATH_MAX];
  int n = sbx_cgroup_procs_files(cg, procs, SBX_MAX_CGROUP_DIRS);
  for (int i = 0; i < n; i++) {
    int fd = open(procs[i], O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
      int e = errno;
      close_all(fds, i);
      return sbx_error_set(err, SBX_PHASE_CGROUP, e, "open %.120s", procs[i]);
    }
    fds[i] = move_high(fd);
  }
  return n;
}

static int do_spawn(const char *helper, const int child_fds[7], const sbx_cgroup_t *cg, pid_t *pid, sbx_error_t *err) {
  /*
   * The cgroup.procs files of the run's cgroup (v1 cpuacct too: the tree's cpu time is read
   * there) go in as fds, not paths: pid 1 shares the helper's argv, which the run can read in
   * /proc/1/cmdline, and a path names the host cgroup, the worker's pid and its run counter (T70).
   */
  int cg_fds[SBX_MAX_CGROUP_DIRS];
  int n = open_cgroup_procs(cg, cg_fds, err);
  if (n < 0) return n;
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawn_file_actions_init(&fa);
  for (int i = 0; i < 7; i++)
    if (child_fds[i] >= 0) posix_spawn_file_actions_adddup2(&fa, child_fds[i], i);
  for (int i = 0; i < n; i++) posix_spawn_file_actions_adddup2(&fa, cg_fds[i], SBX_FD_CGROUP_FIRST + i);
  /* Only these fds cross into the helper, even if some library left a fd without CLOEXEC. */
  posix_spawn_file_actions_addclosefrom_np(&fa, SBX_FD_CGROUP_FIRST + n);
  posix_spawnattr_init(&attr);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  /* What the helper does before its spec arrives is told by argv: namespaces to enter, and how
   * many cgroup.procs fds it got. Nothing host-specific. */
  char count[16];
  snprintf(count, sizeof(count), "%d", n);
  char *argv[6] = {(char *)"sbx-init"};
  int argc = 1;
  if (child_fds[SBX_FD_USERNS] >= 0) argv[argc++] = (char *)"--userns";
  if (child_fds[SBX_FD_NETNS] >= 0) argv[argc++] = (char *)"--netns";
  argv[argc++] = (char *)"--cgroup-fds";
  argv[argc++] = count;
  argv[argc] = NULL;
  char *const envp[] = {NULL};
  int r = posix_spawn(pid, helper, &fa, &attr, argv, envp);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  close_all(cg_fds, n);
  if (r != 0) return sbx_error_set(err, SBX_PHASE_SPAWN, r, "posix_spawn %.120s", helper);
  return 0;
}

int sbx_spawn_prepare(const char *helper, int userns_fd, int netns_fd, const sbx_cgroup_t *cg, sbx_child_t *out,
                      sbx_error_t *err) {
  int in[2] = {-1, -1}, o[2] = {-1, -1}, e[2] = {-1, -1}, rep[2] = {-1, -1}, sock[2] = {-1, -1};
  int r;
  memset(out, 0, sizeof(*out));
  out->pidfd = out->stdin_fd = out->stdout_fd = out->stderr_fd = out->report_fd = out->spec_sock = -1;
  if (pipe2(in, O_CLOEXEC) < 0 || pipe2(o, O_CLOEXEC) < 0 || pipe2(e, O_CLOEXEC) < 0 || pipe2(rep, O_CLOEXEC) < 0 ||
      socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sock) < 0) {
    r = sbx_error_set(err, SBX_PHASE_SPAWN, errno, "pipe2/socketpair");
    goto fail;
  }
  int child_fds[7] = {move_high(in[0]),
                      move_high(o[1]),
                      move_high(e[1]),
                      move_high(sock[1]),
                      move_high(rep[1]),
                      userns_fd >= 0 ? fcntl(userns_fd, F_DUPFD_CLOEXEC, 16) : -1,
                      netns_fd >= 0 ? fcntl(netns_fd, F_DUPFD_CLOEXEC, 16) : -1};
  in[0] = o[1] = e[1] = rep[1] = sock[1] = -1;
  r = do_spawn(helper, child_fds, cg, &out->pid, err);
  /* The helper holds its own copies now; ours must go so EOF and EPIPE work. */
  close_all(child_fds, 7);
  if (r < 0) goto fail;
  out->pidfd = (int)syscall(SYS_pidfd_open, out->pid, 0);
  if (out->pidfd < 0) {
    r = sbx_error_set(err, SBX_PHASE_SPAWN, errno, "pidfd_open");
    kill(out->pid, SIGKILL);
    while (waitpid(out->pid, NULL, 0) < 0 && errno == EINTR) {
    }
    goto fail;
  }
  out->stdin_fd = in[1];
  out->stdout_fd = o[0];
  out->stderr_fd = e[0];
  out->report_fd = rep[0];
  out->spec_sock = sock[0];
  int fds[4] = {in[1], o[0], e[0], rep[0]};
  for (int i = 0; i < 4; i++) fcntl(fds[i], F_SETFL, O_NONBLOCK);
  return 0;
fail:;
  int all[10] = {in[0], in[1], o[0], o[1], e[0], e[1], rep[0], rep[1], sock[0], sock[1]};
  close_all(all, 10);
  return r;
}

static int send_fd(int sock, int fd) {
  char ctrl[CMSG_SPACE(sizeof(int))];
  char byte = 's';
  struct iovec iov = {.iov_base = &byte, .iov_len = 1};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctrl, .msg_controllen = sizeof(ctrl)};
  memset(ctrl, 0, sizeof(ctrl));
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof(int));
  /* Never blocks: two small messages into an empty socket. A dead helper gives EPIPE. */
  return sendmsg(sock, &msg, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 ? -errno : 0;
}

/*
 * Why a helper ended before its spec: the error frame it sent, if any (it fails that way, see
 * sbx-init.c), and how it ended. Only reads what is already in the report pipe (non-blocking).
 */
static int gone_error(const sbx_child_t *c, sbx_error_t *err) {
  siginfo_t info;
  memset(&info, 0, sizeof(info));
  /* WNOWAIT: sbx_spawn_discard reaps it. */
  waitid((idtype_t)P_PIDFD, (id_t)c->pidfd, &info, WEXITED | WNOHANG | WNOWAIT);
  const char *how = info.si_code == CLD_EXITED ? "exit" : "signal";
  uint8_t buf[1024];
  ssize_t n = read(c->report_fd, buf, sizeof(buf));
  for (size_t off = 0; n > 0 && off + sizeof(sbx_msg_header_t) <= (size_t)n;) {
    sbx_msg_header_t h;
    memcpy(&h, buf + off, sizeof(h));
    off += sizeof(h);
    if (h.len > (size_t)n - off) break;
    if (h.type == SBX_MSG_ERROR && h.len >= 2 * sizeof(int32_t)) {
      int32_t head[2];
      memcpy(head, buf + off, sizeof(head));
      int len = (int)(h.len - sizeof(head));
      return sbx_error_set(err, SBX_PHASE_SPAWN, head[1] ? head[1] : ESRCH, "prepared sbx-init is gone (%s %d): %.*s",
                           how, info.si_status, len, (const char *)buf + off + sizeof(head));
    }
    off += h.len;
  }
  return sbx_error_set(err, SBX_PHASE_SPAWN, ESRCH, "prepared sbx-init is gone (%s %d, no error sent)", how,
                       info.si_status);
}

int sbx_spawn_start(sbx_child_t *c, const uint8_t *spec, size_t spec_len, sbx_error_t *err) {
  /* A prepared helper may have died while it waited (killed, OOM). Its pid 1 holds the socket
   * until the death signal reaches it too, so EPIPE alone would come too late: ask the pidfd. */
  struct pollfd p = {.fd = c->pidfd, .events = POLLIN};
  int ready;
  /* Even a zero-timeout poll fails with EINTR when a signal lands in it, and the worker takes a
   * SIGCHLD for every run that ends: an interrupted check says nothing about the helper, and
   * taking it for a death failed runs whose helper was alive. */
  while ((ready = poll(&p, 1, 0)) < 0 && errno == EINTR) {
  }
  if (ready < 0) return sbx_error_set(err, SBX_PHASE_SPAWN, errno, "poll prepared sbx-init");
  if (ready > 0) return gone_error(c, err);
  cleanup_close int spec_fd = make_spec_fd(spec, spec_len, err);
  if (spec_fd < 0) return spec_fd;
  int r = send_fd(c->spec_sock, spec_fd);
  if (r == 0) r = send_fd(c->spec_sock, spec_fd);
  close(c->spec_sock);
  c->spec_sock = -1;
  if (r < 0) return sbx_error_set(err, SBX_PHASE_SPAWN, -r, "send spec to sbx-init");
  return 0;
}

void sbx_spawn_discard(sbx_child_t *c) {
  /* Kill before reaping: a prepared helper waits for its spec forever. Its pid 1 dies with it
   * (PR_SET_PDEATHSIG), and with pid 1 the rest of its namespaces. */
  if (c->pidfd >= 0) {
    syscall(SYS_pidfd_send_signal, c->pidfd, SIGKILL, NULL, 0);
    siginfo_t info;
    while (waitid((idtype_t)P_PIDFD, (id_t)c->pidfd, &info, WEXITED) < 0 && errno == EINTR) {
    }
  }
  int all[6] = {c->pidfd, c->stdin_fd, c->stdout_fd, c->stderr_fd, c->report_fd, c->spec_sock};
  close_all(all, 6);
  c->pidfd = c->stdin_fd = c->stdout_fd = c->stderr_fd = c->report_fd = c->spec_sock = -1;
}
