/* T66 host device inodes shared between runs. How: two copies run at once; each holds an
 * exclusive non-blocking flock on /dev/null for two seconds and keeps touching its timestamps
 * (utimensat with the current time, allowed to anyone who may write the node), checking after
 * each touch whether the inode's mtime moved past its own last touch: with the host's node bound
 * into every run, the second copy's flock fails (EWOULDBLOCK) and each sees the other's touches.
 * Expected safe outcome (privileged worker: fresh nodes per run): both copies get the lock; the
 * run's own /dev is read-only, so touching fails (EROFS) and no copy sees a foreign touch.
 * Controls: a second open of /dev/null in the same run cannot take the lock (the probe notices
 * sharing); a /tmp file locks and can be touched. Stdin carries "a" or "b". */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int later(const struct timespec *a, const struct timespec *b) {
  return a->tv_sec > b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec > b->tv_nsec);
}

int main(void) {
  int fd = open("/dev/null", O_RDWR);
  fact("open-dev-null", fd >= 0, errno);
  TRY("flock-dev-null", flock(fd, LOCK_EX | LOCK_NB));
  int again = open("/dev/null", O_RDONLY);
  TRY("second-open-flock", flock(again, LOCK_EX | LOCK_NB));
  int tmp = open("/tmp/t66.lock", O_CREAT | O_RDWR, 0600);
  TRY("tmp-flock-control", flock(tmp, LOCK_EX | LOCK_NB));
  TRY("tmp-touch-control", utimensat(AT_FDCWD, "/tmp/t66.lock", NULL, 0));
  int touched = 1, touch_errno = 0, foreign = 0;
  for (int i = 0; i < 20; i++) {
    struct timespec own, pause = {0, 50 * 1000 * 1000};
    struct stat st;
    if (utimensat(AT_FDCWD, "/dev/null", NULL, 0) < 0) {
      touched = 0;
      touch_errno = errno;
    }
    clock_gettime(CLOCK_REALTIME, &own);
    nanosleep(&pause, NULL);
    /* The kernel stamps with a coarse clock, never later than our fine-grained reading. */
    if (stat("/dev/null", &st) == 0 && later(&st.st_mtim, &own)) foreign = 1;
    nanosleep(&pause, NULL);
  }
  fact("touch-dev-null", touched, touch_errno);
  fact("foreign-touch-seen", foreign, 0);
  return 0;
}
