/* Spawning sbx-init from the addon (spawn.c). */
#ifndef SBX_SPAWN_H
#define SBX_SPAWN_H

#include "sbx.h"

/* The parent's ends of one run. All owned by the caller, O_CLOEXEC and O_NONBLOCK. */
typedef struct {
  pid_t pid; /* outer sbx-init; reaped through pidfd (waitid P_PIDFD) */
  int pidfd;
  int stdin_fd;  /* write end */
  int stdout_fd; /* read end */
  int stderr_fd;
  int report_fd; /* read end of the report pipe (framed messages, see report.c) */
  int spec_sock; /* SOCK_SEQPACKET to the helper until the spec is sent; then -1 */
} sbx_child_t;

/* Spawns sbx-init up to the point where it waits for its spec (see spawn.c): its pid 1 cloned and
 * put into `cg` (the run's cgroup, already limited). userns_fd (rootless outer user namespace)
 * and netns_fd (a ready network namespace) may be -1; both stay owned by the caller. The
 * helper's pid 1 comes back in the PID1 report as usual. */
int sbx_spawn_prepare(const char *helper, int userns_fd, int netns_fd, const sbx_cgroup_t *cg, sbx_child_t *out,
                      sbx_error_t *err);
/* Sends the spec: the child is this run's from here on. On error it is unusable: discard it. */
int sbx_spawn_start(sbx_child_t *c, const uint8_t *spec, size_t spec_len, sbx_error_t *err);
/* Kills and reaps a child that will not run (pool shut down, start failed); closes every fd. */
void sbx_spawn_discard(sbx_child_t *c);

#endif
