/* T43 ptrace, process_vm_readv and /proc/pid/mem of other processes. How: attach to pid 1 (the run
 * init, or the host init if pid isolation failed), read its memory through process_vm_readv and
 * /proc/1/mem, and PTRACE_TRACEME.
 * Expected safe outcome: all fail with EPERM (seccomp deny group) or EACCES/ENOENT. Control: the
 * own /proc/self/mem opens (ptrace access to oneself is always granted). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <fcntl.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <unistd.h>

int main(void) {
  TRY("ptrace-attach-pid1", ptrace(PTRACE_ATTACH, 1, NULL, NULL));
  TRY("ptrace-traceme", ptrace(PTRACE_TRACEME, 0, NULL, NULL));
  char buf[16];
  struct iovec local = {buf, sizeof buf}, remote = {(void *)0x400000, sizeof buf};
  TRY("process-vm-readv-pid1", process_vm_readv(1, &local, 1, &remote, 1, 0));
  TRY("process-vm-writev-pid1", process_vm_writev(1, &local, 1, &remote, 1, 0));
  TRY("open-proc1-mem", open("/proc/1/mem", O_RDONLY));
  TRY("open-self-mem-control", open("/proc/self/mem", O_RDONLY));
  return 0;
}
