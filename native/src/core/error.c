/* Error values (crun convention) and cleanup helpers shared by every core file. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sbx.h"

/* Indexed by sbx_phase_t: every phase has a name, so a new phase without one fails the drift test. */
static const char *const phase_names[SBX_PHASE_COUNT] = {
    [SBX_PHASE_INTERNAL] = "internal", [SBX_PHASE_SETUP] = "setup", [SBX_PHASE_CGROUP] = "cgroup",
    [SBX_PHASE_SECCOMP] = "seccomp",   [SBX_PHASE_SPAWN] = "spawn", [SBX_PHASE_EXEC] = "exec",
    [SBX_PHASE_PROFILE] = "profile",   [SBX_PHASE_HOST] = "host",
};

const char *sbx_phase_name(int phase) {
  if (phase < 0 || phase >= SBX_PHASE_COUNT || phase_names[phase] == NULL) return phase_names[SBX_PHASE_INTERNAL];
  return phase_names[phase];
}

int sbx_error_set(sbx_error_t *err, int phase, int errno_value, const char *fmt, ...) {
  va_list ap;
  err->phase = phase;
  err->errno_value = errno_value;
  va_start(ap, fmt);
  vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
  va_end(ap);
  return errno_value > 0 ? -errno_value : -EINVAL;
}

void sbx_cleanup_closep(int *fd) {
  if (*fd >= 0) {
    int saved = errno;
    close(*fd);
    errno = saved;
    *fd = -1;
  }
}

void sbx_cleanup_freep(void *p) {
  void **pp = (void **)p;
  free(*pp);
  *pp = NULL;
}
