/*
 * Compiling a profile with libseccomp, once when the profile is loaded (never per run). Linked
 * into the addon only; sbx-init installs the exported BPF with seccomp(2).
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sbx-compile.h"

static int mark_unknown(sbx_compile_result_t *res, const char *name) {
  if (res->n_unknown < SBX_COMPILE_UNKNOWN_MAX) {
    snprintf(res->unknown[res->n_unknown], sizeof(res->unknown[0]), "%s", name);
    res->n_unknown++;
  }
  return 0;
}

static int add_rule(scmp_filter_ctx ctx, const sbx_compile_rule_t *rule, uint32_t default_action,
                    sbx_compile_result_t *res, sbx_error_t *err) {
  struct scmp_arg_cmp cmps[6];
  if (rule->n_args > 6) return sbx_error_set(err, SBX_PHASE_PROFILE, EINVAL, "more than 6 argument conditions");
  for (uint32_t i = 0; i < rule->n_args; i++) {
    cmps[i].arg = rule->args[i].index;
    cmps[i].op = (enum scmp_compare)rule->args[i].op;
    cmps[i].datum_a = rule->args[i].value;
    cmps[i].datum_b = rule->args[i].value_two;
  }
  for (uint32_t n = 0; n < rule->n_names; n++) {
    int nr = seccomp_syscall_resolve_name(rule->names[n]);
    /* Unknown to this libseccomp/arch: skipped and reported as a warning, not fatal. */
    if (nr == __NR_SCMP_ERROR) {
      mark_unknown(res, rule->names[n]);
      continue;
    }
    /* A rule equal to the default action is redundant; libseccomp would refuse it. */
    if (rule->action == default_action) continue;
    int r = seccomp_rule_add_array(ctx, rule->action, nr, rule->n_args, cmps);
    if (r < 0) return sbx_error_set(err, SBX_PHASE_PROFILE, -r, "rule for %s", rule->names[n]);
  }
  return 0;
}

static int export_bpf(scmp_filter_ctx ctx, sbx_compile_result_t *res, sbx_error_t *err) {
  cleanup_close int fd = memfd_create("sbx-bpf", MFD_CLOEXEC);
  if (fd < 0) return sbx_error_set(err, SBX_PHASE_PROFILE, errno, "memfd_create");
  int r = seccomp_export_bpf(ctx, fd);
  if (r < 0) return sbx_error_set(err, SBX_PHASE_PROFILE, -r, "seccomp_export_bpf");
  struct stat st;
  if (fstat(fd, &st) < 0) return sbx_error_set(err, SBX_PHASE_PROFILE, errno, "fstat bpf");
  res->bpf = malloc((size_t)st.st_size);
  if (!res->bpf) return sbx_error_set(err, SBX_PHASE_PROFILE, ENOMEM, "bpf buffer");
  if (pread(fd, res->bpf, (size_t)st.st_size, 0) != st.st_size)
    return sbx_error_set(err, SBX_PHASE_PROFILE, EIO, "read bpf");
  res->bpf_len = (size_t)st.st_size;
  return 0;
}

int sbx_seccomp_compile(const sbx_compile_profile_t *p, sbx_compile_result_t *res, sbx_error_t *err) {
  memset(res, 0, sizeof(*res));
  scmp_filter_ctx ctx = seccomp_init(p->default_action);
  if (!ctx) return sbx_error_set(err, SBX_PHASE_PROFILE, EINVAL, "seccomp_init (bad default action)");
  int r = 0;
  /*
   * Only the native ABI: anything else (i386 through int 0x80, x32) is killed by the bad-arch
   * action before the syscall runs (T38). We set no_new_privs ourselves, right before install.
   */
  if ((r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS)) < 0 ||
      (r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)) < 0 ||
      (r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)) < 0) {
    r = sbx_error_set(err, SBX_PHASE_PROFILE, -r, "seccomp_attr_set");
    goto out;
  }
  for (uint32_t i = 0; i < p->n_rules; i++)
    if ((r = add_rule(ctx, &p->rules[i], p->default_action, res, err)) < 0) goto out;
  r = export_bpf(ctx, res, err);
out:
  seccomp_release(ctx);
  if (r < 0) {
    free(res->bpf);
    res->bpf = NULL;
  }
  return r;
}

int sbx_seccomp_action(const char *name, uint32_t errno_ret, uint32_t *action) {
  if (strcmp(name, "SCMP_ACT_ALLOW") == 0)
    *action = SCMP_ACT_ALLOW;
  else if (strcmp(name, "SCMP_ACT_ERRNO") == 0)
    *action = SCMP_ACT_ERRNO(errno_ret ? errno_ret : EPERM);
  else if (strcmp(name, "SCMP_ACT_KILL_PROCESS") == 0)
    *action = SCMP_ACT_KILL_PROCESS;
  else if (strcmp(name, "SCMP_ACT_KILL_THREAD") == 0 || strcmp(name, "SCMP_ACT_KILL") == 0)
    *action = SCMP_ACT_KILL_THREAD;
  else if (strcmp(name, "SCMP_ACT_TRAP") == 0)
    *action = SCMP_ACT_TRAP;
  else if (strcmp(name, "SCMP_ACT_LOG") == 0)
    *action = SCMP_ACT_LOG;
  else
    return -EINVAL;
  return 0;
}

int sbx_seccomp_op(const char *name, uint32_t *op) {
  static const struct {
    const char *name;
    enum scmp_compare op;
  } ops[] = {{"SCMP_CMP_NE", SCMP_CMP_NE},
             {"SCMP_CMP_LT", SCMP_CMP_LT},
             {"SCMP_CMP_LE", SCMP_CMP_LE},
             {"SCMP_CMP_EQ", SCMP_CMP_EQ},
             {"SCMP_CMP_GE", SCMP_CMP_GE},
             {"SCMP_CMP_GT", SCMP_CMP_GT},
             {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ}};
  for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
    if (strcmp(name, ops[i].name) == 0) {
      *op = ops[i].op;
      return 0;
    }
  return -EINVAL;
}
