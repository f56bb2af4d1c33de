/* Seccomp profile compilation (addon only; links libseccomp). See seccomp-compile.c. */
#ifndef SBX_COMPILE_H
#define SBX_COMPILE_H

#include "sbx.h"

#define SBX_COMPILE_UNKNOWN_MAX 64

typedef struct {
  uint32_t index;
  uint32_t op; /* enum scmp_compare */
  uint64_t value;
  uint64_t value_two;
} sbx_compile_arg_t;

typedef struct {
  const char **names;
  uint32_t n_names;
  uint32_t action; /* libseccomp action value (SCMP_ACT_*) */
  sbx_compile_arg_t *args;
  uint32_t n_args;
} sbx_compile_rule_t;

typedef struct {
  uint32_t default_action;
  sbx_compile_rule_t *rules;
  uint32_t n_rules;
} sbx_compile_profile_t;

typedef struct {
  uint8_t *bpf; /* malloc'd; owned by the caller after success */
  size_t bpf_len;
  uint32_t n_unknown;
  char unknown[SBX_COMPILE_UNKNOWN_MAX][64]; /* syscall names this libseccomp does not know */
} sbx_compile_result_t;

int sbx_seccomp_compile(const sbx_compile_profile_t *profile, sbx_compile_result_t *res, sbx_error_t *err);
/* Maps an OCI action / comparison name to libseccomp's value; -EINVAL when unknown. */
int sbx_seccomp_action(const char *name, uint32_t errno_ret, uint32_t *action);
int sbx_seccomp_op(const char *name, uint32_t *op);

#endif
