/* T58 time manipulation. How: settimeofday, clock_settime and adjtimex with a set mode; the clock is
 * global, so a change would disturb timing of every run and of the host.
 * Expected safe outcome: all fail with EPERM. Control: clock_gettime succeeds. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

int main(void) {
  struct timespec ts;
  TRY("clock-gettime-control", clock_gettime(CLOCK_REALTIME, &ts));
  struct timeval tv = {ts.tv_sec + 3600, 0};
  TRY("settimeofday", settimeofday(&tv, NULL));
  ts.tv_sec += 3600;
  TRY("clock-settime", clock_settime(CLOCK_REALTIME, &ts));
  struct timex tx = {.modes = ADJ_FREQUENCY, .freq = 1000};
  TRY("adjtimex-set", syscall(SYS_adjtimex, &tx));
  TRY("clock-adjtime-set", syscall(SYS_clock_adjtime, CLOCK_REALTIME, &tx));
  return 0;
}
