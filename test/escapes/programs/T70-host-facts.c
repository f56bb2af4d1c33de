/* T70 host facts. How: read /proc/interrupts, /proc/softirqs, /proc/locks and the host's boot id,
 * open /proc/pressure/cpu (host-wide PSI, and a trigger there runs a kernel poller), read pid 1's
 * argv (it used to carry the host cgroup path with the worker's pid and run counter), the image's
 * /etc/hostname (the build host's name) and the clocks (host uptime through the time namespace).
 * Expected safe outcome: the masked files read empty, /proc/pressure has no files, pid 1's argv
 * holds no path and no number but a small fd count, /etc/hostname is the run's hostname, and
 * CLOCK_MONOTONIC, CLOCK_BOOTTIME and /proc/uptime start near zero.
 * Controls: /proc/cpuinfo and /proc/self/status read non-empty. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <ctype.h>
#include <fcntl.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* Bytes read from path (up to size - 1, NUL-terminated), or -1 with errno. */
static long slurp(const char *path, char *buf, size_t size) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  long got = 0, n;
  while (got < (long)size - 1 && (n = read(fd, buf + got, size - 1 - (size_t)got)) > 0) got += n;
  buf[got] = 0;
  close(fd);
  return got;
}

static char buf[65536];

static void empty(const char *check, const char *path) {
  long n = slurp(path, buf, sizeof(buf));
  fact(check, n <= 0, 0);
}

int main(void) {
  fact("cpuinfo-control", slurp("/proc/cpuinfo", buf, sizeof(buf)) > 0, errno);
  fact("self-status-control", slurp("/proc/self/status", buf, sizeof(buf)) > 0, errno);
  empty("interrupts-masked", "/proc/interrupts");
  empty("softirqs-masked", "/proc/softirqs");
  empty("locks-masked", "/proc/locks");
  empty("boot-id-masked", "/proc/sys/kernel/random/boot_id");
  TRY("pressure-cpu-open", open("/proc/pressure/cpu", O_RDWR));
  long n = slurp("/proc/1/cmdline", buf, sizeof(buf));
  int neutral = n > 0;
  for (long i = 0; i < n; i++)
    if (buf[i] == '/' || (isdigit((unsigned char)buf[i]) && i + 1 < n && isdigit((unsigned char)buf[i + 1])))
      neutral = 0;
  for (long i = 0; i < n; i++)
    if (buf[i] == 0) buf[i] = ' ';
  printf("{\"pid1Argv\":\"%.200s\"}\n", buf);
  fact("pid1-argv-neutral", neutral, 0);
  n = slurp("/etc/hostname", buf, sizeof(buf));
  fact("etc-hostname-neutral", n > 0 && strcmp(buf, "bulkhead\n") == 0, errno);
  struct timespec mono, boot;
  clock_gettime(CLOCK_MONOTONIC, &mono);
  clock_gettime(CLOCK_BOOTTIME, &boot);
  fact("monotonic-near-zero", mono.tv_sec < 60, 0);
  fact("boottime-near-zero", boot.tv_sec < 60, 0);
  n = slurp("/proc/uptime", buf, sizeof(buf));
  fact("uptime-near-zero", n > 0 && atof(buf) < 60.0, errno);
  return 0;
}
