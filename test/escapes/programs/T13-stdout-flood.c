/* T13 stdout flood. How: write to stdout as fast as possible, forever.
 * Expected safe outcome: OUTPUT_LIMIT; the returned stdout is at most the output limit and marked
 * truncated; the worker memory stays bounded; the run is killed promptly. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <unistd.h>

int main(void) {
  static char buf[65536];
  memset(buf, 0x41, sizeof buf);
  for (;;)
    if (write(1, buf, sizeof buf) < 0) return 1;
}
