/* T34 How: bpf(): create a map and load a socket filter program. eBPF is a large kernel surface (verifier bugs).
 * Expected safe outcome: every call fails (EPERM from the seccomp deny group; ENOSYS/EACCES also
 * acceptable) or the process is killed by seccomp. Control: getpid through syscall() succeeds. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
  union bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.map_type = BPF_MAP_TYPE_ARRAY;
  attr.key_size = 4;
  attr.value_size = 8;
  attr.max_entries = 1;
  TRY("bpf-map-create", syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof attr));
  struct bpf_insn prog[] = {{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0},
                            {.code = BPF_JMP | BPF_EXIT}};
  memset(&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
  attr.insns = (unsigned long)prog;
  attr.insn_cnt = 2;
  attr.license = (unsigned long)"GPL";
  TRY("bpf-prog-load", syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof attr));
  TRY("getpid-control", syscall(SYS_getpid));
  return 0;
}
