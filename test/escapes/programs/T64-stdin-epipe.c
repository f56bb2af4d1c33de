/* T64 worker robustness against early close. How: close stdin at once while the worker is still
 * writing MiBs of stdin into the pipe; a worker without EPIPE handling dies of SIGPIPE or throws.
 * Expected safe outcome: the worker survives; status OK; the service stays healthy. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <unistd.h>

int main(void) {
  TRY("close-stdin", close(0));
  fact("still-running", 1, 0);
  return 0;
}
