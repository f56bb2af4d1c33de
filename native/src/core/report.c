/*
 * The report pipe: framed messages from sbx-init (outer helper and container pid 1) to the
 * addon's waiter thread. Frame: sbx_msg_header_t {u32 type, u32 len} then len payload bytes.
 * Writes of one frame larger than PIPE_BUF may interleave only with frames of the same process,
 * and only pid 1 sends after the program starts, so frames never mix.
 */
#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sbx.h"

static int write_all_iov(int fd, struct iovec *iov, int n) {
  while (n > 0) {
    ssize_t w = writev(fd, iov, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    while (n > 0 && (size_t)w >= iov->iov_len) {
      w -= (ssize_t)iov->iov_len;
      iov++;
      n--;
    }
    if (n > 0) {
      iov->iov_base = (char *)iov->iov_base + w;
      iov->iov_len -= (size_t)w;
    }
  }
  return 0;
}

int sbx_report_send(int fd, uint32_t type, const void *a, size_t alen, const void *b, size_t blen) {
  sbx_msg_header_t h = {.type = type, .len = (uint32_t)(alen + blen)};
  struct iovec iov[3] = {
      {.iov_base = &h, .iov_len = sizeof(h)},
      {.iov_base = (void *)a, .iov_len = alen},
      {.iov_base = (void *)b, .iov_len = blen},
  };
  return write_all_iov(fd, iov, 3);
}

void sbx_report_error(int fd, const sbx_error_t *err) {
  int32_t head[2] = {err->phase, err->errno_value};
  sbx_report_send(fd, SBX_MSG_ERROR, head, sizeof(head), err->msg, strnlen(err->msg, SBX_MSG_MAX));
}
