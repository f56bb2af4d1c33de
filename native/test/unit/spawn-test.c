/* A helper that died before its spec (core/spawn.c): the run's error says how it ended and what
 * it reported, where before it said only "gone". The helpers here are tiny shell scripts. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sbx-spawn.h"
#include "unit.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

static const char *write_helper(const char *body) {
  static char path[4200];
  snprintf(path, sizeof(path), "%s/helper.sh", sbx_unit_tmpdir());
  FILE *f = fopen(path, "w");
  if (!f) return NULL;
  fprintf(f, "#!/bin/sh\n%s\n", body);
  fclose(f);
  chmod(path, 0755);
  return path;
}

/* Prepares a run with `helper`, waits until it has exited, and returns sbx_spawn_start's error. */
static sbx_error_t start_after_exit(const char *helper) {
  sbx_error_t err = {0};
  sbx_cgroup_t cg;
  sbx_child_t child;
  memset(&cg, 0, sizeof(cg));
  CHECK_INT(sbx_spawn_prepare(helper, -1, -1, &cg, &child, &err), 0);
  siginfo_t info;
  CHECK_INT(waitid((idtype_t)P_PIDFD, (id_t)child.pidfd, &info, WEXITED | WNOWAIT), 0);
  uint8_t spec[1] = {0};
  CHECK(sbx_spawn_start(&child, spec, sizeof(spec), &err) < 0, "start on a dead helper succeeded");
  sbx_spawn_discard(&child);
  return err;
}

TEST(spawn_dead_helper_says_how_it_ended) {
  const char *helper = write_helper("exit 3");
  CHECK(helper != NULL, "cannot write the helper");
  sbx_error_t err = start_after_exit(helper);
  CHECK_INT(err.phase, SBX_PHASE_SPAWN);
  CHECK_INT(err.errno_value, ESRCH);
  CHECK_STR(err.msg, "prepared sbx-init is gone (exit 3, no error sent)");
}

TEST(spawn_dead_helper_passes_on_its_error_frame) {
  /* SBX_MSG_ERROR: type 1, len 13, phase 5, errno 11 (EAGAIN), "boom!" (little-endian x86). */
  const char *helper = write_helper(
      "printf '\\001\\000\\000\\000\\015\\000\\000\\000\\005\\000\\000\\000\\013\\000\\000\\000boom!' >&4; exit 126");
  CHECK(helper != NULL, "cannot write the helper");
  sbx_error_t err = start_after_exit(helper);
  CHECK_INT(err.phase, SBX_PHASE_SPAWN);
  CHECK_INT(err.errno_value, EAGAIN);
  CHECK_STR(err.msg, "prepared sbx-init is gone (exit 126): boom!");
}
