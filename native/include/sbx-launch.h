/* The launcher protocol (init/launcher.c ⇄ core/spawn.c), over a SOCK_SEQPACKET socket. */
#ifndef SBX_LAUNCH_H
#define SBX_LAUNCH_H

#include <stdint.h>

#include "sbx.h"

/* Request flag: a pooled network namespace is among the fds (in slot SBX_FD_NETNS). */
#define SBX_LAUNCH_NETNS 1u
/* fds of one request, in order: stdin, stdout, stderr, spec socket, report pipe, [netns], cgroup.procs... */
#define SBX_LAUNCH_MAX_FDS (5 + 1 + SBX_MAX_CGROUP_DIRS)

/* One request: fork one outer helper with these fds (SCM_RIGHTS). */
typedef struct {
  uint32_t flags;
  uint32_t n_cgroup_fds;
} sbx_launch_request_t;

/* The reply: errno (0: launched) and the helper's pid; its pidfd rides along (SCM_RIGHTS). */
typedef struct {
  int32_t code;
  int32_t pid;
} sbx_launch_reply_t;

#endif
