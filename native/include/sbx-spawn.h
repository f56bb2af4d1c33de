/* Spawning sbx-init from the addon (spawn.c). */
#ifndef SBX_SPAWN_H
#define SBX_SPAWN_H

#include "sbx.h"

/* The parent's ends of one run. All owned by the caller, O_CLOEXEC and O_NONBLOCK. */
typedef struct {
  pid_t pid;     /* outer sbx-init; reaped through pidfd (waitid P_PIDFD) */
  int pidfd;
  int stdin_fd;  /* write end */
  int stdout_fd; /* read end */
  int stderr_fd;
  int report_fd; /* read end of the report pipe (framed messages, see report.c) */
} sbx_child_t;

/* userns_fd (rootless outer user namespace) and netns_fd (a ready network namespace) may be -1;
 * both stay owned by the caller. */
int sbx_spawn_init(const char *helper, const uint8_t *spec, size_t spec_len, int userns_fd, int netns_fd,
                   sbx_child_t *out, sbx_error_t *err);

#endif
