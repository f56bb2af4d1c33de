/* T38 legacy i386 ABI via int 0x80. How: the 32-bit syscall table has other numbers (20 is getpid
 * there, 20 is writev on x86_64), so a filter written for the x86_64 table must not be applied to
 * it; a filter that forgot the architecture check would let any i386 call through.
 * Expected safe outcome: the process is killed with SIGSYS (seccomp bad-arch action; RUNTIME_ERROR,
 * seccompViolation) or the call returns -ENOSYS; it never returns a pid. "int80-getpid" must never
 * be printed with ok true. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <unistd.h>

int main(void) {
  fact("before-int80", 1, 0);
  long ret;
  __asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory");
  fact("int80-getpid", ret == (long)getpid(), ret < 0 ? (int)-ret : 0);
  return 0;
}
