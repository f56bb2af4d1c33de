/* The program's resource limits (core/rlimit.c), applied in a forked child that reports by exit
 * status: every limit from the spec, and the fixed ones that keep worker values out (T57, T72). */
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"

static const sbx_limits_t limits = {
    .cpu_time_ms = 1500, .pids = 32, .file_size_bytes = 1 << 20, .open_files = 64, .stack_bytes = 8 << 20};

static int both_are(int resource, rlim_t value) {
  struct rlimit r;
  return getrlimit(resource, &r) == 0 && r.rlim_cur == value && r.rlim_max == value;
}

static void apply_and_check(void) {
  sbx_error_t err;
  if (sbx_rlimit_apply(&limits, &err) < 0) _exit(90);
  const struct {
    int resource;
    rlim_t value;
  } want[] = {
      {RLIMIT_CORE, 1},
      {RLIMIT_FSIZE, 1 << 20},
      {RLIMIT_NOFILE, 64},
      {RLIMIT_STACK, 8 << 20},
      /* 1.5 s rounds up to 2, plus one second: a backstop behind the cgroup's polled cpu time. */
      {RLIMIT_CPU, 3},
      {RLIMIT_MSGQUEUE, 0},
      {RLIMIT_RTPRIO, 0},
      {RLIMIT_RTTIME, 0},
      {RLIMIT_NICE, 0},
      {RLIMIT_NPROC, 32},
      {RLIMIT_AS, RLIM_INFINITY},
  };
  for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
    if (!both_are(want[i].resource, want[i].value)) _exit(1 + (int)i);
  _exit(0);
}

TEST(rlimit_apply_sets_soft_and_hard_limits) {
  pid_t pid = fork();
  if (pid == 0) apply_and_check();
  int status = 0;
  waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status), "the child died with status %#x", status);
  CHECK_INT(WEXITSTATUS(status), 0);
}
