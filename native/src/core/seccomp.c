/*
 * Installing a pre-compiled seccomp filter. The BPF comes from the addon's one-time libseccomp
 * compile (seccomp-compile.c), so sbx-init needs no libseccomp and no per-run compile (PERF.md:
 * 1.5-2 ms per run saved).
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
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
