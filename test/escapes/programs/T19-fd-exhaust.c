/* T19 fd exhaustion. How: open /dev/null until open fails, to exhaust the kernel or the worker fds.
 * Expected safe outcome: EMFILE at RLIMIT_NOFILE (at most 65536); the worker is unaffected; OK. */
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
#include <fcntl.h>
#include <sys/resource.h>

int main(void) {
  long count = 0;
  int fd;
  while ((fd = open("/dev/null", O_RDONLY)) >= 0) count++;
  int err = errno;
  fact("open-first", count > 0, err);
  fact("open-unbounded", 0, err);
  fact("fds-at-most-65536", count <= 65536, 0);
  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  printf("{\"opened\":%ld,\"soft\":%llu,\"hard\":%llu}\n", count, (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max);
  return 0;
}
