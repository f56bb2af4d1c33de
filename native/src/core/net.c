/*
 * The run's network namespace: only `lo`, brought up, no routes anywhere else. Either made by
 * the clone of the run (lo brought up by container root) or made ahead of demand by the netns
 * pool helper (lo already up; entered by the outer helper before the clone). Either way its
 * TCP buffer autotuning is bounded by its maker (sbx_net_bound_buffers).
 */
#include <errno.h>
#include <fcntl.h>
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
  if (setns(netns_fd, CLONE_NEWNET) < 0)
    return sbx_error_set(err, SBX_PHASE_SETUP, errno, "setns(ready network namespace)");
  return 0;
}

/*
 * T65: per-socket TCP buffer ceilings for this network namespace (net.ipv4.tcp_rmem/tcp_wmem
 * are per namespace). The arithmetic: autotuning grows a socket's queues up to the third value,
 * 32 MiB receive and 4 MiB send by default, so 256 open files (RLIMIT_NOFILE) could ask for
 * 256 x 36 MiB = 9 GiB; at 1 MiB each way they ask for at most 256 x 2 MiB = 512 MiB per process.
 * That is still more than a run's memory limit (pids x RLIMIT_NOFILE sockets multiply it), so
 * this only keeps one socket from hoarding: the bound that holds is the cgroup's (v1: the
 * socket limit in cgroup.c, which charges TCP and UDP; v2: memory.max). What cannot be set here:
 * net.core.rmem_max/wmem_max/rmem_default/wmem_default are host-wide and read-only inside a
 * namespace on 6.18 (they cap SO_RCVBUF/SO_SNDBUF), and udp_mem/tcp_mem are host-wide too.
 * Must run in the namespace (the files show the writer's namespace) and as its owner.
 */
static int write_sysctl(const char *path, const char *value, sbx_error_t *err) {
  cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return sbx_error_set(err, SBX_PHASE_SETUP, errno, "open %s", path);
  ssize_t n = write(fd, value, strlen(value));
  if (n < 0) return sbx_error_set(err, SBX_PHASE_SETUP, errno, "write %s", path);
  return 0;
}

int sbx_net_bound_buffers(sbx_error_t *err) {
  int r = write_sysctl("/proc/sys/net/ipv4/tcp_rmem", SBX_NET_TCP_RMEM, err);
  return r < 0 ? r : write_sysctl("/proc/sys/net/ipv4/tcp_wmem", SBX_NET_TCP_WMEM, err);
}
