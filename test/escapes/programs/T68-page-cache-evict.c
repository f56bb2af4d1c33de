/* T68 shared page cache eviction. How: read a file of the read-only image (every run of the
 * image shares its page cache with the host), then try to drop it from the cache for everyone:
 * posix_fadvise(POSIX_FADV_DONTNEED) and NOREUSE, madvise(MADV_PAGEOUT / MADV_COLD / MADV_REMOVE)
 * on a shared mapping of it, O_DIRECT reads that bypass the cache (at open and through
 * fcntl(F_SETFL)), and a preadv2 with RWF_DONTCACHE (drops the pages it read through). Expected safe outcome: each is
 * refused (ENOSYS from seccomp; O_DIRECT at open: EINVAL), and the suite sees from the host that the file's pages
 * stayed resident. Controls: the read-ahead advice (SEQUENTIAL, WILLNEED) and MADV_DONTNEED on the mapping, which only
 * drops this process's own page-table entries, succeed. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef RWF_DONTCACHE
#define RWF_DONTCACHE 0x80
#endif

#define TARGET "/usr/lib/gcc/x86_64-linux-gnu/12/libasan.a"

/* posix_fadvise returns the error instead of setting errno. */
static void advise(const char *check, int fd, int advice) {
  int e = posix_fadvise(fd, 0, 0, advice);
  fact(check, e == 0, e);
}

int main(void) {
  int fd = open(TARGET, O_RDONLY | O_CLOEXEC);
  fact("open-image-file-control", fd >= 0, errno);
  if (fd < 0) return 0;
  struct stat st;
  fstat(fd, &st);
  static char buf[1 << 16];
  while (read(fd, buf, sizeof buf) > 0) {
  }
  advise("fadvise-sequential-control", fd, POSIX_FADV_SEQUENTIAL);
  advise("fadvise-willneed-control", fd, POSIX_FADV_WILLNEED);
  advise("fadvise-dontneed", fd, POSIX_FADV_DONTNEED);
  advise("fadvise-noreuse", fd, POSIX_FADV_NOREUSE);
  char *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
  fact("mmap-image-file-control", map != MAP_FAILED, errno);
  if (map != MAP_FAILED) {
    volatile char sum = 0;
    for (off_t i = 0; i < st.st_size; i += 4096) sum += map[i];
    TRY("madvise-pageout", madvise(map, (size_t)st.st_size, MADV_PAGEOUT));
    TRY("madvise-cold", madvise(map, (size_t)st.st_size, MADV_COLD));
    TRY("madvise-remove", madvise(map, (size_t)st.st_size, MADV_REMOVE));
    TRY("madvise-dontneed-control", madvise(map, (size_t)st.st_size, MADV_DONTNEED));
  }
  struct iovec iov = {.iov_base = buf, .iov_len = sizeof buf};
  TRY("preadv2-control", preadv2(fd, &iov, 1, 0, 0));
  /* Raw: glibc turns ENOSYS with flags into ENOTSUP, which the kernel also says when a filesystem
   * lacks uncached reads; only ENOSYS shows the filter refused the call. */
  TRY("preadv2-dontcache", syscall(SYS_preadv2, fd, &iov, 1, 0L, 0L, RWF_DONTCACHE));
  TRY("open-o-direct", open(TARGET, O_RDONLY | O_DIRECT | O_CLOEXEC));
  TRY("fcntl-setfl-o-direct", fcntl(fd, F_SETFL, O_DIRECT));
  TRY("fcntl-setfl-nonblock-control", fcntl(fd, F_SETFL, O_NONBLOCK));
  return 0;
}
