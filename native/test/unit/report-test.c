/* The report pipe's framing (core/report.c) and the error values every core function returns
 * (core/error.c): what sbx-init writes is what the addon's waiter reads. */
#include <errno.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"

static int read_exact(int fd, void *buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, (uint8_t *)buf + got, n - got);
    if (r <= 0) return -1;
    got += (size_t)r;
  }
  return 0;
}

TEST(report_frame_is_header_then_both_parts) {
  int p[2];
  CHECK_INT(pipe(p), 0);
  uint32_t mode = 0644;
  CHECK_INT(sbx_report_send(p[1], SBX_MSG_FILE, &mode, sizeof(mode), "abc", 3), 0);
  CHECK_INT(sbx_report_send(p[1], SBX_MSG_COLLECT_DONE, NULL, 0, NULL, 0), 0);
  close(p[1]);
  sbx_msg_header_t h;
  uint8_t payload[7];
  CHECK_INT(read_exact(p[0], &h, sizeof(h)), 0);
  CHECK_U64(h.type, SBX_MSG_FILE);
  CHECK_U64(h.len, 7);
  CHECK_INT(read_exact(p[0], payload, 7), 0);
  CHECK(memcmp(payload, &mode, 4) == 0 && memcmp(payload + 4, "abc", 3) == 0, "payload is not a then b");
  CHECK_INT(read_exact(p[0], &h, sizeof(h)), 0);
  CHECK_U64(h.type, SBX_MSG_COLLECT_DONE);
  CHECK_U64(h.len, 0);
  CHECK(read(p[0], payload, 1) == 0, "bytes after the last frame");
  close(p[0]);
}

/* A frame far larger than the pipe's buffer goes out whole through partial writes. */
TEST(report_large_frame_survives_partial_writes) {
  enum { SIZE = 1 << 20 };
  int p[2];
  CHECK_INT(pipe(p), 0);
  pid_t child = fork();
  if (child == 0) {
    close(p[0]);
    uint8_t *big = malloc(SIZE);
    for (size_t i = 0; i < SIZE; i++) big[i] = (uint8_t)(i * 7);
    _exit(sbx_report_send(p[1], SBX_MSG_FILE, big, SIZE / 2, big + SIZE / 2, SIZE / 2) == 0 ? 0 : 1);
  }
  close(p[1]);
  sbx_msg_header_t h;
  uint8_t *got = malloc(SIZE);
  CHECK_INT(read_exact(p[0], &h, sizeof(h)), 0);
  CHECK_U64(h.len, SIZE);
  CHECK_INT(read_exact(p[0], got, SIZE), 0);
  size_t bad = SIZE;
  for (size_t i = 0; i < SIZE && bad == SIZE; i++)
    if (got[i] != (uint8_t)(i * 7)) bad = i;
  CHECK(bad == SIZE, "byte %zu differs", bad);
  int status = 0;
  waitpid(child, &status, 0);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the writer failed (status %d)", status);
  free(got);
  close(p[0]);
}

TEST(report_error_carries_phase_errno_and_message) {
  int p[2];
  sbx_error_t err;
  CHECK_INT(pipe(p), 0);
  CHECK_INT(sbx_error_set(&err, SBX_PHASE_CGROUP, EACCES, "mkdir %s", "/cg/r1-1"), -EACCES);
  sbx_report_error(p[1], &err);
  close(p[1]);
  sbx_msg_header_t h;
  int32_t head[2];
  char msg[32] = {0};
  CHECK_INT(read_exact(p[0], &h, sizeof(h)), 0);
  CHECK_U64(h.type, SBX_MSG_ERROR);
  CHECK_U64(h.len, 8 + strlen("mkdir /cg/r1-1"));
  CHECK_INT(read_exact(p[0], head, sizeof(head)), 0);
  CHECK_INT(head[0], SBX_PHASE_CGROUP);
  CHECK_INT(head[1], EACCES);
  CHECK_INT(read_exact(p[0], msg, h.len - 8), 0);
  CHECK_STR(msg, "mkdir /cg/r1-1");
  close(p[0]);
}

TEST(error_set_returns_negative_errno_or_einval) {
  sbx_error_t err;
  CHECK_INT(sbx_error_set(&err, SBX_PHASE_SETUP, ENOENT, "x"), -ENOENT);
  CHECK_INT(sbx_error_set(&err, SBX_PHASE_EXEC, 0, "no errno"), -EINVAL);
  CHECK_INT(err.phase, SBX_PHASE_EXEC);
  CHECK_INT(err.errno_value, 0);
  CHECK_STR(err.msg, "no errno");
}

TEST(error_message_is_cut_to_its_buffer) {
  sbx_error_t err;
  char long_text[SBX_MSG_MAX * 2];
  memset(long_text, 'a', sizeof(long_text) - 1);
  long_text[sizeof(long_text) - 1] = 0;
  sbx_error_set(&err, SBX_PHASE_SETUP, EIO, "%s", long_text);
  CHECK_U64(strlen(err.msg), SBX_MSG_MAX - 1);
}

TEST(cleanup_close_closes_and_keeps_errno) {
  int fds[2];
  CHECK_INT(pipe(fds), 0);
  int fd = fds[0];
  errno = EAGAIN;
  sbx_cleanup_closep(&fd);
  CHECK_INT(errno, EAGAIN);
  CHECK_INT(fd, -1);
  CHECK(close(fds[0]) < 0 && errno == EBADF, "the fd is still open");
  sbx_cleanup_closep(&fd);
  close(fds[1]);
}
