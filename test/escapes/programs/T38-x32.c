/* T38 x32 ABI. How: call getpid with the x32 bit (0x40000000) set in the syscall number; x32 calls
 * share the x86_64 audit arch, so a filter that does not check the bit would treat them as the
 * native calls it allows or not by number alone.
 * Expected safe outcome: killed with SIGSYS (bad arch) or -ENOSYS; never returns a pid. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <unistd.h>

int main(void) {
  fact("before-x32", 1, 0);
  long ret;
  __asm__ volatile("syscall" : "=a"(ret) : "a"(0x40000000L | 39L) : "rcx", "r11", "memory");
  fact("x32-getpid", ret == (long)getpid(), ret < 0 ? (int)-ret : 0);
  return 0;
}
