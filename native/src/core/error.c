/* Error values (crun convention) and cleanup helpers shared by every core file. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sbx.h"

int sbx_error_set(sbx_error_t *err, int phase, int errno_value, const char *fmt, ...) {
  va_list ap;
  err->phase = phase;
  err->errno_value = errno_value;
  va_start(ap, fmt);
  vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
  va_end(ap);
  return errno_value > 0 ? -errno_value : -EINVAL;
}

void sbx_cleanup_closep(int *fd) {
  if (*fd >= 0) {
    int saved = errno;
    close(*fd);
    errno = saved;
    *fd = -1;
  }
}

void sbx_cleanup_freep(void *p) {
  void **pp = (void **)p;
  free(*pp);
  *pp = NULL;
}
