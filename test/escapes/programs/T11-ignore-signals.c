/* T11 ignore polite signals. How: ignore and block SIGTERM, SIGINT, SIGHUP, SIGXCPU, SIGALRM and
 * SIGUSR1/2, then spin, so a killer that asks politely never ends the run.
 * Expected safe outcome: the sandbox kills with SIGKILL; TIME_LIMIT. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <signal.h>

int main(void) {
  int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGXCPU, SIGALRM, SIGUSR1, SIGUSR2, SIGQUIT};
  sigset_t set;
  sigemptyset(&set);
  int ok = 1;
  for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
    ok &= signal(sigs[i], SIG_IGN) != SIG_ERR;
    sigaddset(&set, sigs[i]);
  }
  fact("signals-ignored", ok, errno);
  TRY("sigkill-ignored", signal(SIGKILL, SIG_IGN) == SIG_ERR ? -1 : 0);
  sigprocmask(SIG_BLOCK, &set, NULL);
  volatile unsigned long n = 0;
  for (;;) n++;
}
