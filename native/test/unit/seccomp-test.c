/* Seccomp rule tables: the action and comparison names a profile may use (seccomp-compile.c),
 * a compiled profile's effect, and container pid 1's fixed allow-list (seccomp.c). Filters are
 * installed only in forked children, which report by exit status. */
#include <errno.h>
#include <linux/filter.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sbx-compile.h"
#include "unit.h"

/* Runs fn in a child with no_new_privs; returns its wait status. */
static int in_child(void (*fn)(void)) {
  pid_t pid = fork();
  if (pid == 0) {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) _exit(90);
    fn();
    _exit(91);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

TEST(seccomp_action_names_map_to_libseccomp) {
  uint32_t a = 0;
  CHECK_INT(sbx_seccomp_action("SCMP_ACT_ALLOW", 0, &a), 0);
  CHECK_U64(a, SCMP_ACT_ALLOW);
  CHECK_INT(sbx_seccomp_action("SCMP_ACT_ERRNO", 0, &a), 0);
  CHECK_U64(a, SCMP_ACT_ERRNO(EPERM));
  CHECK_INT(sbx_seccomp_action("SCMP_ACT_ERRNO", ENOSYS, &a), 0);
  CHECK_U64(a, SCMP_ACT_ERRNO(ENOSYS));
  CHECK_INT(sbx_seccomp_action("SCMP_ACT_KILL_PROCESS", 0, &a), 0);
  CHECK_U64(a, SCMP_ACT_KILL_PROCESS);
  /* OCI's SCMP_ACT_KILL is the thread-level kill. */
  CHECK_INT(sbx_seccomp_action("SCMP_ACT_KILL", 0, &a), 0);
  CHECK_U64(a, SCMP_ACT_KILL_THREAD);
  CHECK_INT(sbx_seccomp_action("SCMP_ACT_TRAP", 0, &a), 0);
  CHECK_U64(a, SCMP_ACT_TRAP);
  CHECK_INT(sbx_seccomp_action("SCMP_ACT_LOG", 0, &a), 0);
  CHECK_U64(a, SCMP_ACT_LOG);
  CHECK_INT(sbx_seccomp_action("SCMP_ACT_NOTIFY", 0, &a), -EINVAL);
  CHECK_INT(sbx_seccomp_action("allow", 0, &a), -EINVAL);
}

TEST(seccomp_comparison_names_map_to_libseccomp) {
  /* libseccomp numbers its comparisons in this order, from SCMP_CMP_NE. */
  static const char *names[] = {"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",       "SCMP_CMP_EQ",
                                "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"};
  uint32_t op = 0;
  CHECK_INT(SCMP_CMP_MASKED_EQ - SCMP_CMP_NE, 6);
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    op = 0;
    CHECK_INT(sbx_seccomp_op(names[i], &op), 0);
    CHECK(op == (uint32_t)SCMP_CMP_NE + i, "%s maps to %u", names[i], op);
  }
  CHECK_INT(sbx_seccomp_op("SCMP_CMP_EQUAL", &op), -EINVAL);
}

static sbx_compile_result_t compiled;

static void run_compiled_profile(void) {
  sbx_error_t err;
  if (sbx_seccomp_install(compiled.bpf, (uint32_t)compiled.bpf_len, &err) < 0) _exit(92);
  /* getppid: always refused with the rule's errno; dup: refused only for fd 0 (an arg rule). */
  errno = 0;
  if (syscall(SYS_getppid) != -1 || errno != EACCES) _exit(1);
  errno = 0;
  if (syscall(SYS_dup, 0) != -1 || errno != EBADFD) _exit(2);
  if (syscall(SYS_dup, 1) < 0) _exit(3);
  syscall(SYS_exit_group, 0);
}

TEST(seccomp_compiled_profile_applies_its_rules) {
  const char *refused[] = {"getppid", "sbx_no_such_syscall"};
  const char *dup_names[] = {"dup"};
  const char *allowed[] = {"getpid"};
  sbx_compile_arg_t fd0 = {.index = 0, .op = SCMP_CMP_EQ, .value = 0};
  sbx_compile_rule_t rules[] = {
      {.names = refused, .n_names = 2, .action = SCMP_ACT_ERRNO(EACCES)},
      {.names = dup_names, .n_names = 1, .action = SCMP_ACT_ERRNO(EBADFD), .args = &fd0, .n_args = 1},
      /* Equal to the default action: skipped, not refused by libseccomp. */
      {.names = allowed, .n_names = 1, .action = SCMP_ACT_ALLOW},
  };
  sbx_compile_profile_t profile = {.default_action = SCMP_ACT_ALLOW, .rules = rules, .n_rules = 3};
  sbx_error_t err = {0};
  CHECK_INT(sbx_seccomp_compile(&profile, &compiled, &err), 0);
  CHECK_U64(compiled.n_unknown, 1);
  CHECK_STR(compiled.unknown[0], "sbx_no_such_syscall");
  CHECK(compiled.bpf_len > 0 && compiled.bpf_len % sizeof(struct sock_filter) == 0, "bpf length %zu", compiled.bpf_len);
  int status = in_child(run_compiled_profile);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child under the profile ended with status %#x", status);
  free(compiled.bpf);
}

TEST(seccomp_more_than_six_argument_conditions_is_a_profile_error) {
  const char *names[] = {"dup"};
  sbx_compile_arg_t args[7] = {{0}};
  sbx_compile_rule_t rule = {.names = names, .n_names = 1, .action = SCMP_ACT_ERRNO(EPERM), .args = args, .n_args = 7};
  sbx_compile_profile_t profile = {.default_action = SCMP_ACT_ALLOW, .rules = &rule, .n_rules = 1};
  sbx_compile_result_t res;
  sbx_error_t err = {0};
  CHECK_INT(sbx_seccomp_compile(&profile, &res, &err), -EINVAL);
  CHECK_INT(err.phase, SBX_PHASE_PROFILE);
  CHECK(res.bpf == NULL, "no bpf after a failure");
}

TEST(seccomp_install_refuses_bad_program_lengths) {
  struct sock_filter one = BPF_STMT(BPF_RET | BPF_K, 0x7fff0000u);
  sbx_error_t err = {0};
  CHECK_INT(sbx_seccomp_install((const uint8_t *)&one, 0, &err), -EINVAL);
  CHECK_INT(err.phase, SBX_PHASE_SECCOMP);
  CHECK_INT(sbx_seccomp_install((const uint8_t *)&one, sizeof(one) - 1, &err), -EINVAL);
  CHECK_INT(sbx_seccomp_install((const uint8_t *)&one, (BPF_MAXINSNS + 1) * sizeof(one), &err), -EINVAL);
}

static void supervisor_allowed_calls(void) {
  sbx_error_t err;
  pid_t self = getpid();
  if (sbx_seccomp_install_supervisor(&err) < 0) _exit(92);
  /* A few of pid 1's own calls: they must still work under its filter. */
  if (syscall(SYS_write, 1, "", 0) < 0) _exit(1);
  if (syscall(SYS_kill, self, 0) < 0) _exit(2);
  syscall(SYS_exit_group, 0);
}

static void supervisor_refused_call(void) {
  sbx_error_t err;
  if (sbx_seccomp_install_supervisor(&err) < 0) _exit(92);
  /* T67: anything outside the list kills the process (getpid is not one of pid 1's calls). */
  syscall(SYS_getpid);
  syscall(SYS_exit_group, 0);
}

TEST(seccomp_supervisor_allows_its_loop_and_kills_anything_else) {
  int status = in_child(supervisor_allowed_calls);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "allowed calls ended with status %#x", status);
  status = in_child(supervisor_refused_call);
  CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS, "getpid under the supervisor filter: status %#x", status);
}
