/* T40 open_by_handle_at ("shocker"). How: name_to_handle_at gives a file handle; open_by_handle_at
 * opens any inode of the filesystem by handle, bypassing the mount layout, so a handle brute-forced
 * for inode 2 (the root of the host filesystem) would open the host root.
 * Expected safe outcome: both calls fail with EPERM. Control: open of /etc/hostname succeeds. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
  struct {
    unsigned int bytes;
    int type;
    unsigned char handle[128];
  } h = {.bytes = 128};
  int mount_id = 0;
  TRY("name-to-handle-at", syscall(SYS_name_to_handle_at, AT_FDCWD, "/etc/hostname", &h, &mount_id, 0));
  struct {
    unsigned int bytes;
    int type;
    unsigned char handle[8];
  } root = {.bytes = 8, .type = 1};
  root.handle[0] = 2; /* ext4 root inode, generation 0 */
  TRY("open-by-handle-at", syscall(SYS_open_by_handle_at, AT_FDCWD, &root, O_RDONLY));
  TRY("open-hostname-control", open("/etc/hostname", O_RDONLY));
  return 0;
}
