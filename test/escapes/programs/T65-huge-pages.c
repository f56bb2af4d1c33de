/* T65 kernel memory outside the memory cgroup: huge pages. How: map anonymous memory with
 * MAP_HUGETLB, create a memfd with MFD_HUGETLB (also with junk in the upper half of the flags
 * register, which the kernel ignores), and a SysV segment with SHM_HUGETLB: hugetlbfs pages come
 * from the host's reserved pool, charged to the hugetlb controller, never to the memory limit.
 * Expected safe outcome: each call is refused (ENOSYS from seccomp). Controls: the same mmap and
 * memfd_create without the huge-page flag succeed. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MFD_HUGETLB
#define MFD_HUGETLB 4U
#endif

int main(void) {
  void *p = mmap(NULL, 2 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  fact("mmap-anon-control", p != MAP_FAILED, errno);
  errno = 0;
  p = mmap(NULL, 2 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
  fact("mmap-hugetlb", p != MAP_FAILED, errno);
  TRY("memfd-control", memfd_create("t65", 0));
  TRY("memfd-hugetlb", memfd_create("t65h", MFD_HUGETLB));
  TRY("memfd-hugetlb-high-bits", syscall(SYS_memfd_create, "t65x", 0xdead00000000UL | MFD_HUGETLB));
  TRY("shmget-hugetlb", shmget(IPC_PRIVATE, 2 << 20, IPC_CREAT | SHM_HUGETLB | 0600));
  return 0;
}
