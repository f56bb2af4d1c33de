/* T52 overwrite the runtime through /proc/pid/exe (CVE-2019-5736 class). How: open /proc/self/exe
 * and /proc/1/exe (the run init: a helper the host may exec again) for writing, write into the own
 * binary path and into the dynamic loader, and list processes whose binary is outside the image.
 * Expected safe outcome: every open for writing fails (ETXTBSY, EACCES, EROFS or ENOENT); no foreign
 * helper is writable. Control: /proc/self/exe opens read-only. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <fcntl.h>
#include <unistd.h>

int main(void) {
  TRY("open-self-exe-write", open("/proc/self/exe", O_WRONLY));
  TRY("open-pid1-exe-write", open("/proc/1/exe", O_WRONLY));
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) {
    self[n] = 0;
    TRY("open-own-binary-path-write", open(self, O_WRONLY | O_TRUNC));
  }
  TRY("open-ld-so-write", open("/lib64/ld-linux-x86-64.so.2", O_WRONLY));
  TRY("open-self-exe-read-control", open("/proc/self/exe", O_RDONLY));
  return 0;
}
