/* T36 How: perf_event_open on a software and a hardware counter: kernel surface and a timing side channel.
 * Expected safe outcome: every call fails (EPERM from the seccomp deny group; ENOSYS/EACCES also
 * acceptable) or the process is killed by seccomp. Control: getpid through syscall() succeeds. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
  struct perf_event_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.size = sizeof attr;
  attr.type = PERF_TYPE_SOFTWARE;
  attr.config = PERF_COUNT_SW_CPU_CLOCK;
  attr.exclude_kernel = 1;
  TRY("perf-sw-self", syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0));
  attr.type = PERF_TYPE_HARDWARE;
  attr.config = PERF_COUNT_HW_CPU_CYCLES;
  TRY("perf-hw-all-cpus", syscall(SYS_perf_event_open, &attr, -1, 0, -1, 0));
  TRY("getpid-control", syscall(SYS_getpid));
  return 0;
}
