/* T08 CPU spin on many threads. How: 8 threads spin at once, so CPU time grows 8x faster than
 * wall time (where cores allow) and a per-thread accounting would undercount.
 * Expected safe outcome: TIME_LIMIT; CPU time of all threads is summed by the cgroup; the cpu quota
 * throttles the run; the wall limit is not exceeded. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <pthread.h>

static void *spin(void *arg) {
  volatile unsigned long n = 0;
  (void)arg;
  for (;;) n++;
  return NULL;
}

int main(void) {
  pthread_t t[8];
  int started = 0;
  for (int i = 0; i < 8; i++) started += pthread_create(&t[i], NULL, spin, NULL) == 0;
  fact("threads-started", started == 8, 0);
  spin(NULL);
}
