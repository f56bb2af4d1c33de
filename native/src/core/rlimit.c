/*
 * Resource limits of the program process (per process; the cgroup bounds the tree). Every limit
 * the kernel has is set here, so nothing the worker was started with reaches a run (T72).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "sbx.h"

/* Locked memory a run may pin outside reclaim: enough for a small mlock, not a host's worth. */
#define SBX_MEMLOCK_BYTES (64u * 1024u)
/* Queued signals of the sandbox user: a signal storm bounded well below the host default. */
#define SBX_SIGPENDING 256u

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
  /* Backstop only: the waiter polls the cgroup's cpu time of the whole tree every few ms. */
  rlim_t cpu_s = (rlim_t)((l->cpu_time_ms + 999) / 1000 + 1);
  const struct {
    int resource;
    const char *name;
    rlim_t value;
  } limits[] = {
      /*
       * Hard 1, not 0 (T57, T73): the kernel ignores RLIMIT_CORE for a pipe core_pattern except
       * the value 1, which it takes as "never start the helper"; a file dump needs at least a
       * page, so 1 stops both. The profiles' frozen-core rule keeps the program from lowering it.
       */
      {RLIMIT_CORE, "CORE", 1},
      {RLIMIT_FSIZE, "FSIZE", l->file_size_bytes},
      {RLIMIT_NOFILE, "NOFILE", l->open_files},
      {RLIMIT_STACK, "STACK", l->stack_bytes},
      {RLIMIT_CPU, "CPU", cpu_s},
      {RLIMIT_MSGQUEUE, "MSGQUEUE", 0},
      /* T72: no real-time scheduling (the cpu quota does not throttle SCHED_FIFO), no nice below 0. */
      {RLIMIT_RTPRIO, "RTPRIO", 0},
      {RLIMIT_RTTIME, "RTTIME", 0},
      {RLIMIT_NICE, "NICE", 0},
      {RLIMIT_MEMLOCK, "MEMLOCK", SBX_MEMLOCK_BYTES},
      {RLIMIT_SIGPENDING, "SIGPENDING", SBX_SIGPENDING},
      /* Counted per user of the run's own namespace (distinct host uid per run): the pids limit. */
      {RLIMIT_NPROC, "NPROC", l->pids},
      /* Memory is the cgroup's to bound; these only stop an inherited worker value from biting. */
      {RLIMIT_AS, "AS", RLIM_INFINITY},
      {RLIMIT_DATA, "DATA", RLIM_INFINITY},
      {RLIMIT_RSS, "RSS", RLIM_INFINITY},
      {RLIMIT_LOCKS, "LOCKS", RLIM_INFINITY},
  };
  for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
    int r = set_limit(limits[i].resource, limits[i].name, limits[i].value, err);
    if (r < 0) return r;
  }
  return 0;
}

/*
 * T72: the host's OOM killer must always pick a process of a run before the worker, the API or
 * Redis. Set by the outer helper on itself before it clones pid 1 (raising needs no privilege,
 * and pid 1 can no longer write its own /proc once it changed ids): every process of the run
 * inherits it.
 */
int sbx_rlimit_prefer_for_oom(sbx_error_t *err) {
  cleanup_close int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, "1000", 4) != 4) return sbx_error_set(err, SBX_PHASE_SETUP, errno, "oom_score_adj 1000");
  return 0;
}
