/* T02 thread bomb. How: create threads (small stacks, each sleeping forever) until creation fails.
 * Expected safe outcome: threads count against the cgroup pids limit, so pthread_create fails with
 * EAGAIN far below 10 000 threads; the program then exits 0 (status OK); nothing is left. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* One fact per line: ok = the operation succeeded (or the stated condition holds). */
static void fact(const char *check, int ok, int err) {
  const char *name = (ok || err == 0) ? "" : strerrorname_np(err);
  printf("{\"check\":\"%s\",\"ok\":%s,\"errno\":\"%s\"}\n", check, ok ? "true" : "false", name ? name : "?");
  fflush(stdout);
}

/* Records whether a call returning -1 on failure succeeded, with its errno. */
#define TRY(check, call) do { errno = 0; long r_ = (long)(call); fact(check, r_ != -1, errno); } while (0)
#include <pthread.h>
#include <unistd.h>

static void *sleeper(void *arg) { (void)arg; for (;;) pause(); return NULL; }

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
