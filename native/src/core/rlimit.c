/* Resource limits of the program process (per process; the cgroup bounds the tree). */
#include <errno.h>
#include <sys/resource.h>

#include "sbx.h"

static int set_limit(int resource, const char *name, rlim_t value, sbx_error_t *err) {
  struct rlimit cur;
  if (getrlimit(resource, &cur) < 0) return sbx_error_set(err, SBX_PHASE_SETUP, errno, "getrlimit %s", name);
  /* Raising a hard limit needs CAP_SYS_RESOURCE on the host; never ask for more than we hold. */
  if (cur.rlim_max != RLIM_INFINITY && value > cur.rlim_max) value = cur.rlim_max;
  struct rlimit r = {.rlim_cur = value, .rlim_max = value};
  if (setrlimit(resource, &r) < 0) return sbx_error_set(err, SBX_PHASE_SETUP, errno, "setrlimit %s", name);
  return 0;
}

int sbx_rlimit_apply(const sbx_limits_t *l, sbx_error_t *err) {
  int r;
  /* Hard 0: a core dump could reach a host pipe helper through core_pattern (T57). */
  if ((r = set_limit(RLIMIT_CORE, "CORE", 0, err)) < 0) return r;
  if ((r = set_limit(RLIMIT_FSIZE, "FSIZE", l->file_size_bytes, err)) < 0) return r;
  if ((r = set_limit(RLIMIT_NOFILE, "NOFILE", l->open_files, err)) < 0) return r;
  if ((r = set_limit(RLIMIT_STACK, "STACK", l->stack_bytes, err)) < 0) return r;
  /* Backstop only: the waiter polls the cgroup's cpu time of the whole tree every few ms. */
  rlim_t cpu_s = (rlim_t)((l->cpu_time_ms + 999) / 1000 + 1);
  if ((r = set_limit(RLIMIT_CPU, "CPU", cpu_s, err)) < 0) return r;
  return set_limit(RLIMIT_MSGQUEUE, "MSGQUEUE", 0, err);
}
