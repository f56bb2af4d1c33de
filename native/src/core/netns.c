/*
 * The addon's end of the netns pool helper (src/init/netns-pool.c): start it, ask for one
 * fresh network namespace, receive its fd, stop it. Blocking calls, made from the pool thread
 * only, never from the JS thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sbx-pool.h"

int sbx_netns_helper_start(const char *helper, int userns_fd, sbx_netns_helper_t *h, sbx_error_t *err) {
  int sv[2];
  h->pid = -1;
  h->sock = -1;
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return sbx_error_set(err, SBX_PHASE_SPAWN, errno, "socketpair for the netns helper");
  /* Above the target slots 3 and 5, so no dup2 below clobbers a later source. */
  int child_sock = fcntl(sv[1], F_DUPFD_CLOEXEC, 10);
  int child_userns = userns_fd >= 0 ? fcntl(userns_fd, F_DUPFD_CLOEXEC, 10) : -1;
  close(sv[1]);
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, child_sock, 3);
  if (child_userns >= 0) posix_spawn_file_actions_adddup2(&fa, child_userns, 5);
  /* Only the socket (and the outer user namespace) cross into the helper. */
  posix_spawn_file_actions_addclosefrom_np(&fa, 6);
  posix_spawnattr_init(&attr);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  char *const argv[] = {(char *)"sbx-init", (char *)"--netns-pool", child_userns >= 0 ? (char *)"5" : NULL, NULL};
  char *const envp[] = {NULL};
  int r = posix_spawn(&h->pid, helper, &fa, &attr, argv, envp);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  close(child_sock);
  if (child_userns >= 0) close(child_userns);
  if (r != 0) {
    close(sv[0]);
    h->pid = -1;
    return sbx_error_set(err, SBX_PHASE_SPAWN, r, "posix_spawn netns helper");
  }
  h->sock = sv[0];
  return 0;
}

int sbx_netns_helper_take(sbx_netns_helper_t *h, int *ns_fd, sbx_error_t *err) {
  char ctrl[CMSG_SPACE(sizeof(int))];
  uint32_t code = 0;
  struct iovec iov = {.iov_base = &code, .iov_len = sizeof(code)};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctrl, .msg_controllen = sizeof(ctrl)};
  *ns_fd = -1;
  if (send(h->sock, "n", 1, MSG_NOSIGNAL) != 1)
    return sbx_error_set(err, SBX_PHASE_SETUP, errno, "netns helper request");
  ssize_t n;
  while ((n = recvmsg(h->sock, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {
  }
  if (n != (ssize_t)sizeof(code))
    return sbx_error_set(err, SBX_PHASE_SETUP, n < 0 ? errno : EPROTO, "netns helper reply");
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) memcpy(ns_fd, CMSG_DATA(c), sizeof(int));
  if (code != 0 || *ns_fd < 0) {
    if (*ns_fd >= 0) close(*ns_fd);
    *ns_fd = -1;
    return sbx_error_set(err, SBX_PHASE_SETUP, code ? (int)code : EPROTO, "netns helper could not make a namespace");
  }
  return 0;
}

void sbx_netns_helper_stop(sbx_netns_helper_t *h) {
  /* EOF ends the helper's loop; SIGKILL covers a helper stuck anywhere else. */
  if (h->sock >= 0) close(h->sock);
  h->sock = -1;
  if (h->pid > 0) {
    kill(h->pid, SIGKILL);
    while (waitpid(h->pid, NULL, 0) < 0 && errno == EINTR) {
    }
  }
  h->pid = -1;
}
