/* T20 raise own priority or limits. How: raise a hard rlimit, lower oom_score_adj (to make the
 * worker the OOM victim instead), set nice below 0, SCHED_FIFO, and the real-time I/O class.
 * Expected safe outcome: every raise fails with EPERM/EACCES; the controls (lowering a soft limit,
 * raising oom_score_adj, nice +1) succeed, showing the probe would notice success. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <fcntl.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

static int write_file(const char *path, const char *text) {
  int fd = open(path, O_WRONLY);
  if (fd < 0) return -1;
  int r = write(fd, text, strlen(text)) < 0 ? -1 : 0;
  close(fd);
  return r;
}

int main(void) {
  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  struct rlimit up = {rl.rlim_max + 1, rl.rlim_max + 1};
  TRY("rlimit-raise-hard", setrlimit(RLIMIT_NOFILE, &up));
  struct rlimit down = {rl.rlim_cur > 16 ? rl.rlim_cur - 1 : rl.rlim_cur, rl.rlim_max};
  TRY("rlimit-lower-soft", setrlimit(RLIMIT_NOFILE, &down));
  struct rlimit core = {1 << 20, 1 << 20};
  TRY("rlimit-raise-core", setrlimit(RLIMIT_CORE, &core));
  TRY("oom-score-adj-lower", write_file("/proc/self/oom_score_adj", "-1000"));
  TRY("oom-score-adj-raise", write_file("/proc/self/oom_score_adj", "1000"));
  TRY("nice-negative", setpriority(PRIO_PROCESS, 0, -5));
  TRY("nice-positive", setpriority(PRIO_PROCESS, 0, 1));
  struct sched_param sp = {.sched_priority = 10};
  TRY("sched-fifo", sched_setscheduler(0, SCHED_FIFO, &sp));
  TRY("ioprio-realtime", syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, (1 << 13) | 0 /* RT class, level 0 */));
  return 0;
}
