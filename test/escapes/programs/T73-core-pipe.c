/* T73 core dumps through a pipe core_pattern. How: for `|helper` patterns the kernel ignores
 * RLIMIT_CORE except the value 1, so a program that lowers its core limit to 0 (always allowed by
 * the kernel) and crashes starts the host's root helper, outside the run's namespaces and cgroup.
 * Expected safe outcome: the core limit is 1 (soft and hard) and can be neither lowered nor raised
 * (EPERM: setrlimit and prlimit64 on RLIMIT_CORE are refused); a child that crashes with SIGSEGV
 * dumps no core (no core flag in its wait status, no core file in /box); then the program aborts.
 * Controls: other limits can still be lowered; the limit reads back; the child did crash. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <dirent.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
  struct rlimit rl = {0, 0}, zero = {0, 0}, up = {RLIM_INFINITY, RLIM_INFINITY};
  fact("core-limit-one", getrlimit(RLIMIT_CORE, &rl) == 0 && rl.rlim_cur == 1 && rl.rlim_max == 1, errno);
  TRY("core-lower-to-zero", setrlimit(RLIMIT_CORE, &zero));
  TRY("core-prlimit-to-zero", prlimit(0, RLIMIT_CORE, &zero, NULL));
  TRY("core-raise", setrlimit(RLIMIT_CORE, &up));
  TRY("core-prlimit-read-control", prlimit(0, RLIMIT_CORE, NULL, &rl));
  struct rlimit files = {64, 64};
  TRY("nofile-lower-control", setrlimit(RLIMIT_NOFILE, &files));
  fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    raise(SIGSEGV);
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  fact("child-crashed", WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV, 0);
  fact("child-dumped-core", WIFSIGNALED(status) && WCOREDUMP(status), 0);
  int core_file = 0;
  DIR *d = opendir("/box");
  for (struct dirent *e; d && (e = readdir(d));)
    if (strncmp(e->d_name, "core", 4) == 0) core_file = 1;
  fact("core-file-in-box", core_file, 0);
  fact("aborting", 1, 0);
  abort();
}
