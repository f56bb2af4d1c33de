/*
 * The run's network namespace: only `lo`, brought up, no routes anywhere else. Either made by
 * the clone of the run (lo brought up by container root) or made ahead of demand by the netns
 * pool helper (lo already up; entered by the outer helper before the clone).
 */
#include <errno.h>
#include <sched.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sbx.h"

int sbx_net_loopback_up(sbx_error_t *err) {
  cleanup_close int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return sbx_error_set(err, SBX_PHASE_SETUP, errno, "socket for lo");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof(ifr));
  strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) return sbx_error_set(err, SBX_PHASE_SETUP, errno, "SIOCGIFFLAGS lo");
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0) return sbx_error_set(err, SBX_PHASE_SETUP, errno, "SIOCSIFFLAGS lo");
  return 0;
}

int sbx_net_enter(int netns_fd, sbx_error_t *err) {
  if (setns(netns_fd, CLONE_NEWNET) < 0) return sbx_error_set(err, SBX_PHASE_SETUP, errno, "setns(ready network namespace)");
  return 0;
}
