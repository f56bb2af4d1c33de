/* T71 tampering with read-only stage files. How: a compiled submission runs with the compile
 * stage's output (its own binary ./main and source main.c) placed read-only in /box by container
 * root; it tries to rename, unlink, replace (rename a new file over it) and rewrite them, which a
 * /box owned by the program allowed whatever the files' own modes.
 * Expected safe outcome: every step fails (EPERM from the sticky root-owned /box, EACCES or
 * ETXTBSY for the writes) and both files keep their content. Controls: the program creates,
 * renames and unlinks a file of its own in /box. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *MAIN = "/box/main", *SOURCE = "/box/main.c";

int main(void) {
  struct stat before, after;
  fact("main-present", stat(MAIN, &before) == 0, errno);
  TRY("own-create-control", open("/box/mine", O_CREAT | O_WRONLY, 0644));
  TRY("own-rename-control", rename("/box/mine", "/box/mine2"));
  TRY("own-unlink-control", unlink("/box/mine2"));
  TRY("rename-main", rename(MAIN, "/box/moved"));
  TRY("unlink-main", unlink(MAIN));
  TRY("unlink-source", unlink(SOURCE));
  int fake = open("/box/fake", O_CREAT | O_WRONLY, 0755);
  fact("fake-create-control", fake >= 0, errno);
  TRY("replace-main", rename("/box/fake", MAIN));
  TRY("replace-source", rename("/box/fake", SOURCE));
  TRY("rewrite-main", open(MAIN, O_WRONLY));
  TRY("rewrite-source", open(SOURCE, O_WRONLY | O_TRUNC));
  TRY("chmod-main", chmod(MAIN, 0777));
  fact("main-unchanged", stat(MAIN, &after) == 0 && after.st_ino == before.st_ino && after.st_size == before.st_size,
       errno);
  return 0;
}
