/*
 * sbx-init: the single-threaded helper the addon spawns for every run (posix_spawn, so the large
 * multi-threaded Node process is never copied). Three processes, see native/README.md:
 *
 *   outer   (host namespaces) clones pid 1 into fresh namespaces, puts it into the run's
 *           cgroup, waits for the spec, writes pid 1's id maps, lets it go, waits for it.
 *   pid 1   (container root) builds the filesystem, forks the program, reaps, reports the exit
 *           status, collects /box; when it exits the kernel kills every process left in the run.
 *   program drops to the sandbox user and execs.
 *
 * fds on entry: 0-2 the program's stdio pipes, 3 a socket on which the spec (a sealed memfd)
 * arrives once per reader (outer and pid 1), 4 the report pipe, 5 the outer user namespace
 * (argv --userns, rootless only), 6 a ready network namespace (argv --netns, when pooled),
 * 7.. (argv --cgroup-fds N) the cgroup.procs files pid 1 is put into.
 * Everything before the spec is run-independent, so the addon may start us ahead of demand.
 * `sbx-init --netns-pool [5]` is the other mode: the netns pool helper (netns-pool.c). Errors go to fd 4 as
 * SBX_MSG_ERROR, then _exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sbx.h"

static __attribute__((noreturn)) void fail(const sbx_error_t *err) {
  sbx_report_error(SBX_FD_REPORT, err);
  _exit(126);
}

/* The spec memfd, received on the socket at SBX_FD_SPEC (one message per reader, see spawn.c). */
static int recv_spec_fd(sbx_error_t *err) {
  char ctrl[CMSG_SPACE(sizeof(int))], byte;
  struct iovec iov = {.iov_base = &byte, .iov_len = 1};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctrl, .msg_controllen = sizeof(ctrl)};
  ssize_t n;
  while ((n = recvmsg(SBX_FD_SPEC, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {
  }
  /* EOF: the addon discarded this prepared helper without a run. */
  if (n == 0) _exit(0);
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  if (n < 0 || !c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
    return sbx_error_set(err, SBX_PHASE_SPAWN, n < 0 ? errno : EPROTO, "receive spec");
  int fd;
  memcpy(&fd, CMSG_DATA(c), sizeof(int));
  return fd;
}

/* Receives, reads and decodes the spec; the buffer stays alive (the spec points into it). */
static void read_spec(sbx_spec_t *spec) {
  sbx_error_t err = {0};
  struct stat st;
  cleanup_close int fd = recv_spec_fd(&err);
  if (fd < 0) fail(&err);
  close(SBX_FD_SPEC);
  if (fstat(fd, &st) < 0) {
    sbx_error_set(&err, SBX_PHASE_SPAWN, errno, "fstat spec fd");
    fail(&err);
  }
  uint8_t *buf = malloc((size_t)st.st_size + 1);
  size_t got = 0;
  while (buf && got < (size_t)st.st_size) {
    ssize_t n = pread(fd, buf + got, (size_t)st.st_size - got, (off_t)got);
    if (n <= 0) break;
    got += (size_t)n;
  }
  if (!buf || got != (size_t)st.st_size) {
    sbx_error_set(&err, SBX_PHASE_SPAWN, errno ? errno : EIO, "read spec");
    fail(&err);
  }
  if (sbx_spec_decode(buf, got, spec, &err) < 0) fail(&err);
}

static int has_arg(int argc, char **argv, const char *want) {
  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], want) == 0) return 1;
  return 0;
}

/* pdeathsig is cleared by every credential change, so it is set again after each one; the
 * pipe check closes the race where the parent died just before. */
static void die_with_parent(int parent_alive_fd) {
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  struct pollfd p = {.fd = parent_alive_fd, .events = POLLIN};
  if (parent_alive_fd >= 0 && poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR))) _exit(125);
}

/* The program's process: only returns through fail paths (errors go to the exec pipe). */
static __attribute__((noreturn)) void run_program(const sbx_spec_t *spec, int exec_err_fd, int locked_fd) {
  sbx_error_t err = {0};
  sbx_contain_exec_program(spec, locked_fd, &err);
  if (write(exec_err_fd, &err, sizeof(err)) < 0) _exit(127);
  _exit(127);
}

/* The program's process group (it calls setsid, so its pid), for the forwarding handler. */
static volatile pid_t forward_to_group;

static void forward_signal(int sig) {
  int saved = errno;
  kill(-forward_to_group, sig);
  errno = saved;
}

/*
 * SIGINT and SIGTERM sent to pid 1 from outside (a live run's client, through the addon) go to the
 * program's whole process group. The kernel delivers to a namespace's init only the signals it
 * has a handler for, so without this they would be dropped. Installed after the fork (the program
 * starts with default dispositions, and a handler never runs with a group of 0) and before
 * STARTED, after which the addon sends them. The program cannot use this to signal pid 1 itself:
 * it runs as another uid without CAP_KILL, so its kill() on pid 1 fails with EPERM.
 */
static void forward_signals(pid_t prog) {
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = forward_signal;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  forward_to_group = prog;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
}

/*
 * T67: once the program is forked, pid 1 only waits, kills, reports and reads /box. It keeps the
 * two capabilities that needs, cannot gain any (no_new_privs), cannot be ptraced or dumped by
 * anyone in the run (not dumpable), and runs under a small allow-list of its own.
 */
static void lock_down_supervisor(void) {
  sbx_error_t err = {0};
  if (sbx_caps_keep_supervisor(&err) < 0) fail(&err);
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
    sbx_error_set(&err, SBX_PHASE_SETUP, errno, "pid 1: dumpable/no_new_privs");
    fail(&err);
  }
  if (sbx_seccomp_install_supervisor(&err) < 0) fail(&err);
}

/* Container pid 1 after setup: start the program, reap until it exits, report, collect. */
static __attribute__((noreturn)) void supervise(const sbx_spec_t *spec) {
  sbx_error_t err = {0};
  int ep[2], lk[2];
  if (pipe2(ep, O_CLOEXEC) < 0 || pipe2(lk, O_CLOEXEC) < 0) {
    sbx_error_set(&err, SBX_PHASE_SETUP, errno, "pipe2");
    fail(&err);
  }
  pid_t prog = fork();
  if (prog < 0) {
    sbx_error_set(&err, SBX_PHASE_SETUP, errno, "fork program");
    fail(&err);
  }
  if (prog == 0) {
    close(ep[0]);
    close(lk[1]);
    run_program(spec, ep[1], lk[0]);
  }
  close(ep[1]);
  close(lk[0]);
  /* Before the lock-down: its allow-list has no rt_sigaction; the handler needs only kill and
   * rt_sigreturn, which it keeps (and CAP_KILL for the program's other uid). */
  forward_signals(prog);
  /* After the fork: the program's process drops to uid 1000 by itself and must not inherit this. */
  lock_down_supervisor();
  close(lk[1]);
  /* EOF: execve succeeded (CLOEXEC closed the pipe); otherwise the program side's error. */
  ssize_t n = read(ep[0], &err, sizeof(err));
  close(ep[0]);
  if (n == (ssize_t)sizeof(err)) fail(&err);
  sbx_report_send(SBX_FD_REPORT, SBX_MSG_STARTED, NULL, 0, NULL, 0);
  int status = 0;
  for (;;) {
    pid_t p = waitpid(-1, &status, 0);
    if (p == prog) break;
    if (p < 0 && errno != EINTR) _exit(125);
  }
  /* Daemons and orphans die before the collection reads /box, so nothing changes under it. */
  kill(-1, SIGKILL);
  int32_t st = status;
  sbx_report_send(SBX_FD_REPORT, SBX_MSG_EXIT, &st, sizeof(st), NULL, 0);
  if (spec->flags & SBX_FLAG_COLLECT) sbx_box_collect(SBX_FD_REPORT, spec, &err);
  _exit(0);
}

static __attribute__((noreturn)) void pid1_main(int go_fd, int pooled_netns, int dev_fd, int n_cgroup_fds) {
  sbx_error_t err = {0};
  sbx_spec_t spec;
  char go;
  /* The cgroup.procs fds came with the clone; they are the outer helper's business only. */
  for (int i = 0; i < n_cgroup_fds; i++) close(SBX_FD_CGROUP_FIRST + i);
  /* Prepared ahead of demand: this is where we wait for a run. */
  read_spec(&spec);
  /* Said by what we were started with, not by the spec: lo is up only in a pooled netns. */
  spec.flags = (spec.flags & ~SBX_FLAG_NETNS_FD) | (pooled_netns ? SBX_FLAG_NETNS_FD : 0);
  /* Blocks until the outer helper has written our id maps and joined us to the cgroup. */
  if (read(go_fd, &go, 1) != 1) _exit(125);
  if (sbx_contain_pid1(&spec, dev_fd, &err) < 0) fail(&err);
  if (dev_fd >= 0) close(dev_fd);
  die_with_parent(go_fd);
  close(go_fd);
  supervise(&spec);
}

/* The N of `--cgroup-fds N`: how many cgroup.procs fds start at SBX_FD_CGROUP_FIRST. */
static int cgroup_fd_count(int argc, char **argv) {
  for (int i = 1; i + 1 < argc; i++)
    if (strcmp(argv[i], "--cgroup-fds") == 0) {
      int n = atoi(argv[i + 1]);
      return n > 0 && n <= SBX_MAX_CGROUP_DIRS ? n : 0;
    }
  return 0;
}

/* Writes pid into each cgroup.procs fd, then closes them. */
static int join_cgroups(int n_fds, pid_t pid, sbx_error_t *err) {
  char text[32];
  int len = snprintf(text, sizeof(text), "%d", (int)pid);
  for (int i = 0; i < n_fds; i++) {
    int fd = SBX_FD_CGROUP_FIRST + i;
    ssize_t w = write(fd, text, (size_t)len);
    int e = errno;
    close(fd);
    if (w < 0) return sbx_error_set(err, SBX_PHASE_CGROUP, e, "join cgroup (fd %d)", fd);
  }
  return 0;
}

int main(int argc, char **argv) {
  /* The addon execs us through a fd (/proc/<worker>/fd/N), which names the process "N"; give
   * operators (ps, top) and the leftover checks a name to look for. */
  prctl(PR_SET_NAME, "sbx-init", 0, 0, 0);
  if (argc >= 2 && strcmp(argv[1], "--netns-pool") == 0) return sbx_netns_pool_main(argc >= 3 ? atoi(argv[2]) : -1);
  sbx_error_t err = {0};
  sbx_spec_t spec;
  pid_t parent = getppid();
  int pooled_netns = has_arg(argc, argv, "--netns");
  int rootless = has_arg(argc, argv, "--userns");
  int n_cgroup_fds = cgroup_fd_count(argc, argv);
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  if (getppid() != parent) _exit(125);
  if (rootless) {
    if (sbx_userns_enter(SBX_FD_USERNS, &err) < 0) fail(&err);
    close(SBX_FD_USERNS);
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (getppid() != parent) _exit(125);
  }
  long flags = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC | SIGCHLD;
  if (pooled_netns) {
    /*
     * A fresh namespace made ahead of demand for this run alone (the addon closed its fd once
     * we were spawned). After the outer user namespace: setns needs CAP_SYS_ADMIN over the
     * netns's owner, which we hold only there (rootless). Before the clone: the child inherits
     * it, and its own new user namespace holds no capability over it, so not even container
     * root can reconfigure the network.
     */
    if (sbx_net_enter(SBX_FD_NETNS, &err) < 0) fail(&err);
    close(SBX_FD_NETNS);
    flags &= ~(long)CLONE_NEWNET;
  }
  /* T66: as host root (privileged worker) the run gets device nodes of its own, made ahead of
   * demand; rootless, or root of a container's user namespace, keeps bind-mounted host nodes
   * (mount.c) and the worker gives such runs the lock-free profiles (features.ts freshDevices). */
  int dev_fd = -1;
  if (!rootless && sbx_dev_fresh_possible() && (dev_fd = sbx_dev_make_fresh(&err)) < 0) fail(&err);
  if (sbx_rlimit_prefer_for_oom(&err) < 0) fail(&err);
  int sync[2];
  if (pipe2(sync, O_CLOEXEC) < 0) fail(&err);
  /*
   * Every namespace at once, before the spec is known: a prepared helper does this ahead of
   * demand. The child runs nothing of the run until the go byte, which comes after its cgroup
   * join and id maps. Cgroup and time namespaces follow inside pid 1 (they need the join).
   */
  pid_t child = (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
  if (child < 0) {
    sbx_error_set(&err, SBX_PHASE_SETUP, errno, "clone(namespaces)");
    fail(&err);
  }
  if (child == 0) {
    close(sync[1]);
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    pid1_main(sync[0], pooled_netns, dev_fd, n_cgroup_fds);
  }
  close(sync[0]);
  int32_t host_pid = child;
  sbx_report_send(SBX_FD_REPORT, SBX_MSG_PID1, &host_pid, sizeof(host_pid), NULL, 0);
  /* Cgroup before the child may run anything (it waits for its spec, then for the go byte): no
   * instant of the run escapes its limits. Before the spec: a prepared helper does it ahead. */
  if (join_cgroups(n_cgroup_fds, child, &err) < 0) {
    kill(child, SIGKILL);
    fail(&err);
  }
  read_spec(&spec);
  if ((dev_fd >= 0 && sbx_dev_seal(dev_fd, spec.host_root_uid, spec.host_root_gid, &err) < 0) ||
      sbx_userns_write_maps(child, &spec, &err) < 0) {
    kill(child, SIGKILL);
    fail(&err);
  }
  if (write(sync[1], "g", 1) != 1) _exit(125);
  /* sync[1] stays open while we live: pid 1 checks it to notice our death. */
  int status;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  _exit(0);
}
