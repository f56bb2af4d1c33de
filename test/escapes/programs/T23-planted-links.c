/* T23 links planted by a compiled program at its own compiled output path (the Judge0
 * CVE-2024-28185/28189 class, compiled-language variant). How: the binary replaces ./main (the
 * compiler's output, carried from the compile stage) and the usual output and source names with
 * symlinks to the host marker path given on stdin and to /etc/shadow, plants a FIFO and a sparse
 * file, and links a directory to /proc/1/root.
 * Expected safe outcome: status OK; whether or not ./main can be replaced (the compiled output may
 * be read-only), the worker never follows a planted link with host privileges: the host marker
 * keeps content, owner and mode, the response holds no host data, and the run ends within its wall
 * limit (no hang on the FIFO). Control: a link in /tmp is created. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* Replaces `name` with a symlink to `target`; -1 with errno when either step is refused. */
static int plant(const char *name, const char *target) {
  if (unlink(name) < 0 && errno != ENOENT) return -1;
  return symlink(target, name);
}

int main(void) {
  char marker[4096] = "/etc/passwd";
  if (fgets(marker, sizeof marker, stdin)) marker[strcspn(marker, "\n")] = '\0';
  TRY("tmp-link-control", symlink(marker, "/tmp/t23-link"));
  /* Not asserted: a writable or a read-only compiled output are both safe; the host check decides. */
  TRY("replace-own-binary", plant("main", marker));
  static const char *names[] = {"a.out",  "main.c",     "output", "output.txt", "stdout",
                                "stderr", "result.txt", "meta",   NULL};
  int planted = 0;
  for (int i = 0; names[i]; i++) planted += plant(names[i], marker) == 0;
  fact("links-planted", planted > 0, errno);
  TRY("shadow-link", symlink("/etc/shadow", "shadow-link"));
  TRY("proc-root-link", symlink("/proc/1/root", "proc-root"));
  TRY("fifo-created", mkfifo("fifo-output", 0644));
  int fd = open("sparse.bin", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  TRY("sparse-created", fd < 0 ? -1 : ftruncate(fd, 60L << 20));
  return 0;
}
