/*
 * sbx-init --netns-pool: the long-lived helper that makes network namespaces ahead of demand
 * (PERF.md: a fresh netns costs 0.5-0.75 ms, entering a ready one ~50 µs). One request byte on
 * fd 3 (a SOCK_SEQPACKET socket to the addon) → one fresh namespace with `lo` up, sent back as
 * an fd (SCM_RIGHTS) and closed here at once, so the addon holds the only reference. Each fd is
 * entered by exactly one run and closed after; a namespace is never reused.
 *
 * Why a process and not a thread of the worker: the namespace must be owned by the user
 * namespace the run's outer helper acts in (setns(CLONE_NEWNET) needs CAP_SYS_ADMIN over the
 * netns's owner). Privileged worker: the initial user namespace, so a root helper. Rootless
 * worker: the outer user namespace (fd 5), which a multi-threaded process cannot enter.
 *
 * Reply: u32 0 with the fd attached, or u32 errno without one (the addon then falls back to a
 * namespace created inside each run). EOF on fd 3 or the parent's death ends the helper.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sbx.h"

#define FD_SOCKET 3

static int send_reply(uint32_t code, int ns_fd) {
  char ctrl[CMSG_SPACE(sizeof(int))];
  struct iovec iov = {.iov_base = &code, .iov_len = sizeof(code)};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
  if (ns_fd >= 0) {
    memset(ctrl, 0, sizeof(ctrl));
    msg.msg_control = ctrl;
    msg.msg_controllen = sizeof(ctrl);
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &ns_fd, sizeof(int));
  }
  return sendmsg(FD_SOCKET, &msg, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

static int make_one(sbx_error_t *err) {
  if (unshare(CLONE_NEWNET) < 0) return sbx_error_set(err, SBX_PHASE_SETUP, errno, "unshare(CLONE_NEWNET)");
  /* Up here, by the namespace's owner: the run's own root holds no capability over it. */
  int r = sbx_net_loopback_up(err);
  if (r < 0) return r;
  if ((r = sbx_net_bound_buffers(err)) < 0) return r;
  int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return sbx_error_set(err, SBX_PHASE_SETUP, errno, "open own netns");
  return fd;
}

int sbx_netns_pool_main(int userns_fd) {
  sbx_error_t err = {0};
  pid_t parent = getppid();
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  if (getppid() != parent) return 125;
  if (userns_fd >= 0) {
    /* Rootless: the namespaces must belong to the outer user namespace (see above). */
    if (sbx_userns_enter(userns_fd, &err) < 0) return send_reply((uint32_t)err.errno_value, -1), 126;
    close(userns_fd);
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (getppid() != parent) return 125;
  }
  /* The lowest CPU priority: every namespace made here is for a run nobody has asked for yet, so
   * the runs in flight (their pid 1, their programs, the worker that answers them) get a core
   * first. No run inherits it: the helper only hands out namespace fds. Lowering one's own
   * priority needs no privilege; should it fail, the helper just keeps the default. */
  (void)setpriority(PRIO_PROCESS, 0, 19);
  for (;;) {
    char req;
    ssize_t n = recv(FD_SOCKET, &req, 1, 0);
    if (n == 0) return 0;
    if (n < 0) {
      if (errno == EINTR) continue;
      return 0;
    }
    int fd = make_one(&err);
    int r = send_reply(fd < 0 ? (uint32_t)err.errno_value : 0, fd);
    if (fd >= 0) close(fd);
    if (r < 0) return 0;
  }
}
