/* T06 stack overflow. How: unbounded recursion with a 4 KiB frame until the stack limit.
 * Expected safe outcome: RUNTIME_ERROR with signal SIGSEGV (11); nothing else affected. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"

static int down(int n) {
  volatile char frame[4096];
  frame[0] = (char)n;
  return down(n + 1) + frame[0];
}

int main(void) {
  fact("recursion-start", 1, 0);
  return down(0);
}
