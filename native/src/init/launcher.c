/*
 * sbx-init --launcher: the long-lived helper that forks each prepared run's outer helper, so a
 * run no longer pays for a posix_spawn and an exec of sbx-init (a new address space, the static
 * binary's start-up) on the worker's side. One request on fd 3 (a SOCK_SEQPACKET socket to the
 * addon's pool thread) carries the run's fds (SCM_RIGHTS, see sbx-launch.h); the launcher forks,
 * the child puts them in the slots sbx-init expects and becomes the outer helper
 * (sbx_outer_main), exactly as an exec'd one would from there on. Reply: errno and pid, with the
 * child's pidfd attached. The launcher holds no fd of any run once it replied.
 *
 * Rootless (fd 5): it enters the outer user namespace once, so every child starts there. It reaps
 * its children itself; the addon watches each through its pidfd. EOF on fd 3 or the parent's
 * death ends it; its children die with it (PR_SET_PDEATHSIG).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sbx-launch.h"

#define FD_SOCKET 3
/* Where the received fds are parked before they go to their slots: above every slot. */
#define FD_PARK 32

static int send_reply(int32_t code, pid_t pid, int pidfd) {
  sbx_launch_reply_t reply = {.code = code, .pid = pid};
  return sbx_fds_send(FD_SOCKET, &reply, sizeof(reply), pidfd);
}

/* The forked child: fds into sbx-init's slots, nothing else open, then the outer helper. */
static __attribute__((noreturn)) void become_outer(const int *fds, int n_fds, const sbx_launch_request_t *req,
                                                   pid_t launcher, int rootless) {
  int pooled_netns = (req->flags & SBX_LAUNCH_NETNS) != 0;
  int slots[SBX_LAUNCH_MAX_FDS], parked[SBX_LAUNCH_MAX_FDS], n = 0;
  for (int s = 0; s <= SBX_FD_REPORT; s++) slots[n++] = s;
  if (pooled_netns) slots[n++] = SBX_FD_NETNS;
  for (uint32_t i = 0; i < req->n_cgroup_fds; i++) slots[n++] = SBX_FD_CGROUP_FIRST + (int)i;
  /* The signal mask an exec'd helper starts with (posix_spawn: empty); the launcher blocks SIGCHLD. */
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  /* Parked first, so no dup2 below closes a source still to be moved. */
  for (int i = 0; i < n_fds; i++)
    if ((parked[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, FD_PARK)) < 0) _exit(125);
  for (int i = 0; i < n_fds; i++)
    if (dup2(parked[i], slots[i]) < 0) _exit(125);
  /* The launcher's socket sat at 3 (now the spec socket); 5 and an unused 6 hold nothing of this run. */
  close(SBX_FD_USERNS);
  if (!pooled_netns) close(SBX_FD_NETNS);
  if (syscall(SYS_close_range, SBX_FD_CGROUP_FIRST + req->n_cgroup_fds, ~0u, 0) < 0) _exit(125);
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  if (getppid() != launcher) _exit(125);
  sbx_outer_main(pooled_netns, rootless, (int)req->n_cgroup_fds);
}

/*
 * Waits for the next request, reaping finished helpers meanwhile (SIGCHLD through a signalfd):
 * reaped here, their CPU time is counted into the launcher's, as an exec'd helper's is into the
 * worker's. Returns 0 when a request is readable, -1 when the socket or the signalfd broke.
 */
static int wait_request(int sig_fd) {
  struct pollfd p[2] = {{.fd = FD_SOCKET, .events = POLLIN}, {.fd = sig_fd, .events = POLLIN}};
  for (;;) {
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (p[1].revents) {
      struct signalfd_siginfo info;
      if (read(sig_fd, &info, sizeof(info)) < 0 && errno != EAGAIN) return -1;
      while (waitpid(-1, NULL, WNOHANG) > 0) {
      }
    }
    if (p[0].revents) return 0;
  }
}

/* One request: returns its fds (count in *n_fds), or -1 on EOF or a broken socket. */
static int receive(sbx_launch_request_t *req, int *fds, int *n_fds) {
  char ctrl[CMSG_SPACE(SBX_LAUNCH_MAX_FDS * sizeof(int))];
  struct iovec iov = {.iov_base = req, .iov_len = sizeof(*req)};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctrl, .msg_controllen = sizeof(ctrl)};
  ssize_t n;
  while ((n = recvmsg(FD_SOCKET, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {
  }
  if (n <= 0) return -1;
  *n_fds = 0;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    int count = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
    for (int i = 0; i < count && *n_fds < SBX_LAUNCH_MAX_FDS; i++) memcpy(&fds[(*n_fds)++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
  }
  int want = 5 + ((req->flags & SBX_LAUNCH_NETNS) ? 1 : 0) + (int)req->n_cgroup_fds;
  if (n != (ssize_t)sizeof(*req) || (msg.msg_flags & MSG_CTRUNC) || req->n_cgroup_fds > SBX_MAX_CGROUP_DIRS || *n_fds != want)
    req->flags = UINT32_MAX; /* malformed: answered with EPROTO, launched never */
  return 0;
}

int sbx_launcher_main(int userns_fd) {
  sbx_error_t err = {0};
  pid_t parent = getppid();
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  if (getppid() != parent) return 125;
  int rootless = userns_fd >= 0;
  if (rootless) {
    if (sbx_userns_enter(userns_fd, &err) < 0) return 126;
    close(userns_fd);
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (getppid() != parent) return 125;
  }
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  int sig_fd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sig_fd < 0) return 126;
  pid_t self = getpid();
  for (;;) {
    sbx_launch_request_t req;
    int fds[SBX_LAUNCH_MAX_FDS], n_fds = 0, pidfd = -1;
    if (wait_request(sig_fd) < 0 || receive(&req, fds, &n_fds) < 0) return 0;
    pid_t pid = -1;
    int code = EPROTO;
    if (req.flags != UINT32_MAX) {
      /* CLONE_PIDFD: the addon gets a handle that can never name a reused pid. */
      pid = (pid_t)syscall(SYS_clone, CLONE_PIDFD | SIGCHLD, NULL, &pidfd, NULL, NULL);
      if (pid == 0) become_outer(fds, n_fds, &req, self, rootless);
      code = pid < 0 ? errno : 0;
    }
    for (int i = 0; i < n_fds; i++) close(fds[i]);
    int r = send_reply(code, pid, code == 0 ? pidfd : -1);
    if (pidfd >= 0) close(pidfd);
    if (r < 0) return 0;
  }
}
