/* T64 worker robustness against early close. How: close stdin at once while the worker is still
 * writing MiBs of stdin into the pipe; a worker without EPIPE handling dies of SIGPIPE or throws.
 * Expected safe outcome: the worker survives; status OK; the service stays healthy. */
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
#include <unistd.h>

int main(void) {
  TRY("close-stdin", close(0));
  fact("still-running", 1, 0);
  return 0;
}
