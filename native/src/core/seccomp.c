/*
 * Installing a pre-compiled seccomp filter. The BPF comes from the addon's one-time libseccomp
 * compile (seccomp-compile.c), so sbx-init needs no libseccomp and no per-run compile (PERF.md:
 * 1.5-2 ms per run saved). Container pid 1's own allow-list is small and fixed, so it is built
 * here by hand.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sbx.h"

int sbx_seccomp_install(const uint8_t *bpf, uint32_t bpf_len, sbx_error_t *err) {
  if (bpf_len == 0 || bpf_len % sizeof(struct sock_filter) != 0 || bpf_len / sizeof(struct sock_filter) > BPF_MAXINSNS)
    return sbx_error_set(err, SBX_PHASE_SECCOMP, EINVAL, "seccomp program has a bad length (%u bytes)", bpf_len);
  struct sock_fprog prog = {
      .len = (unsigned short)(bpf_len / sizeof(struct sock_filter)),
      .filter = (struct sock_filter *)bpf,
  };
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
    return sbx_error_set(err, SBX_PHASE_SECCOMP, errno, "seccomp(SET_MODE_FILTER)");
  return 0;
}

#if defined(__x86_64__)
#define SBX_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SBX_AUDIT_ARCH AUDIT_ARCH_AARCH64
#else
#error "unsupported architecture for the supervisor filter"
#endif

/*
 * What pid 1 calls from the fork of the program to its exit: read the exec-error pipe, wait and
 * reap, kill the rest, write reports, walk and read /box (openat/getdents/fstat, malloc), exit.
 */
static const int supervisor_syscalls[] = {
    SYS_read,   SYS_write,      SYS_writev,     SYS_close,   SYS_wait4,         SYS_waitid,       SYS_kill,
    SYS_openat, SYS_fstat,      SYS_newfstatat, SYS_fcntl,   SYS_getdents64,    SYS_lseek,        SYS_brk,
    SYS_mmap,   SYS_munmap,     SYS_mremap,     SYS_madvise, SYS_clock_gettime, SYS_rt_sigreturn, SYS_restart_syscall,
    SYS_exit,   SYS_exit_group,
};

#define N_SUPERVISOR (sizeof(supervisor_syscalls) / sizeof(supervisor_syscalls[0]))

int sbx_seccomp_install_supervisor(sbx_error_t *err) {
  /* 4 arch/ABI checks, one compare per syscall, then kill and allow. */
  struct sock_filter f[4 + N_SUPERVISOR + 2];
  size_t n = 0;
  f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
  /* Only the native ABI: a foreign one (i386 int 0x80, x32) would reuse numbers for other calls. */
  f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SBX_AUDIT_ARCH, 1, 0);
  f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
  f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
  for (size_t i = 0; i < N_SUPERVISOR; i++) {
    /* On a match jump to the final ALLOW: it sits (N_SUPERVISOR - i) instructions further on. */
    f[n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)supervisor_syscalls[i],
                                        (uint8_t)(N_SUPERVISOR - i), 0);
    n++;
  }
  /* T67: anything else pid 1 never calls, so a hijacked pid 1 dies (and the run with it). */
  f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
  f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  return sbx_seccomp_install((const uint8_t *)f, (uint32_t)(n * sizeof(f[0])), err);
}
