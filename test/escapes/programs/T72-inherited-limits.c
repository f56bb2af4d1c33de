/* T72 inherited scheduling and resource limits. How: read every limit a worker could pass on
 * (a worker started with a raised RLIMIT_RTPRIO gave runs SCHED_FIFO, which the cpu quota does not
 * throttle), ask for SCHED_FIFO and a negative nice, read and lower oom_score_adj.
 * Expected safe outcome: RTPRIO, RTTIME and NICE 0; MEMLOCK at most 64 KiB; SIGPENDING at most
 * 256; NPROC at most the pids limit (hard = soft); SCHED_FIFO and nice -5 refused (EPERM/EACCES);
 * oom_score_adj 1000 here and in a child; going below 0 refused (EACCES). (Back to the worker's
 * own floor, 0 here, the kernel lets any process go unless the outer helper held
 * CAP_SYS_RESOURCE, which then makes 1000 the floor; docs/threats.md T72.)
 * Controls: raising our own nice to 19 works; the child reads its own oom_score_adj. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static int limit_at_most(int resource, rlim_t most) {
  struct rlimit rl;
  return getrlimit(resource, &rl) == 0 && rl.rlim_cur == rl.rlim_max && rl.rlim_max <= most;
}

static int oom_adj(void) {
  char text[16] = {0};
  int fd = open("/proc/self/oom_score_adj", O_RDONLY);
  if (fd < 0 || read(fd, text, sizeof(text) - 1) <= 0) return -99999;
  close(fd);
  return atoi(text);
}

int main(void) {
  fact("rtprio-zero", limit_at_most(RLIMIT_RTPRIO, 0), 0);
  fact("rttime-zero", limit_at_most(RLIMIT_RTTIME, 0), 0);
  fact("nice-zero", limit_at_most(RLIMIT_NICE, 0), 0);
  fact("memlock-small", limit_at_most(RLIMIT_MEMLOCK, 64 * 1024), 0);
  fact("sigpending-bounded", limit_at_most(RLIMIT_SIGPENDING, 256), 0);
  fact("nproc-bounded", limit_at_most(RLIMIT_NPROC, 256), 0);
  struct sched_param p = {.sched_priority = 10};
  TRY("sched-fifo", sched_setscheduler(0, SCHED_FIFO, &p));
  TRY("nice-negative", setpriority(PRIO_PROCESS, 0, -5));
  TRY("nice-raise-control", setpriority(PRIO_PROCESS, 0, 19));
  fact("oom-score-adj-1000", oom_adj() == 1000, 0);
  fflush(stdout);
  pid_t child = fork();
  if (child == 0) _exit(oom_adj() == 1000 ? 0 : 1);
  int status = 0;
  waitpid(child, &status, 0);
  fact("child-oom-score-adj-1000", WIFEXITED(status) && WEXITSTATUS(status) == 0, 0);
  int fd = open("/proc/self/oom_score_adj", O_WRONLY);
  TRY("oom-score-adj-below-zero", fd < 0 ? -1 : write(fd, "-1", 2));
  return 0;
}
