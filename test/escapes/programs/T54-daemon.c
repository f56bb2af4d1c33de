/* T54 orphan daemon. How: double fork, setsid, ignore SIGHUP, keep stdout open and sleep for 1000 s
 * while the main process exits 0, so the run looks finished but a process survives (and a worker that
 * waits for EOF on stdout would hang).
 * Expected safe outcome: the daemon is killed when the run ends; the response is not delayed beyond
 * the wall limit plus grace; status OK (or TIME_LIMIT if the sandbox waits for the pipe); no
 * process left on the host. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
  pid_t child = fork();
  if (child == 0) {
    setsid();
    signal(SIGHUP, SIG_IGN);
    if (fork() == 0) {
      fact("daemon-started", 1, 0);
      for (int i = 0; i < 1000; i++) sleep(1);
      fact("daemon-survived-1000s", 1, 0);
      _exit(0);
    }
    _exit(0);
  }
  waitpid(child, NULL, 0);
  usleep(100000);
  fact("parent-exiting", 1, 0);
  return 0;
}
