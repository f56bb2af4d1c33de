/* T02 thread bomb. How: create threads (small stacks, each sleeping forever) until creation fails.
 * Expected safe outcome: threads count against the cgroup pids limit, so pthread_create fails with
 * EAGAIN far below 10 000 threads; the program then exits 0 (status OK); nothing is left. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <pthread.h>
#include <unistd.h>

static void *sleeper(void *arg) {
  (void)arg;
  for (;;) pause();
  return NULL;
}

int main(void) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 65536);
  long count = 0;
  int err = 0;
  for (; count < 100000; count++) {
    pthread_t t;
    err = pthread_create(&t, &attr, sleeper, NULL);
    if (err != 0) break;
  }
  fact("thread-create-first", count > 0, err);
  fact("thread-create-unbounded", err == 0, err);
  fact("threads-below-10000", count < 10000, 0);
  printf("{\"threads\":%ld}\n", count);
  fflush(stdout);
  _exit(0);
}
