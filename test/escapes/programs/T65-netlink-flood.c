/* T65 kernel memory outside the memory cgroup: netlink receive queues. How: open NETLINK_ROUTE
 * sockets (glibc's getifaddrs uses them) and send each a stream of malformed requests without
 * ever reading: the kernel queues one error reply per request in the socket's receive queue, in
 * memory the run's cgroup is never charged for (391 MiB pinned under a 256 MiB limit before the
 * fix). Expected safe outcome: every netlink socket is refused (ENOSYS from seccomp), so nothing
 * is queued; the host's unreclaimable slab and netlink socket count do not grow (checked by the
 * suite from the host). Controls: a UDP socket opens, and getifaddrs (which needs netlink) fails
 * cleanly instead of crashing the program. */
#define _GNU_SOURCE
#include <errno.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#define SOCKETS 200
#define REQUESTS_PER_SOCKET 20000

int main(void) {
  int udp = socket(AF_INET, SOCK_DGRAM, 0);
  fact("socket-udp-control", udp >= 0, errno);
  struct ifaddrs *ifa = NULL;
  errno = 0;
  int r = getifaddrs(&ifa);
  fact("getifaddrs-fails-cleanly", r != 0 || ifa != NULL, errno);
  if (r == 0) freeifaddrs(ifa);
  int opened = 0, first_errno = 0;
  for (int i = 0; i < SOCKETS; i++) {
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK, NETLINK_ROUTE);
    if (fd < 0) {
      first_errno = errno;
      break;
    }
    opened++;
    int big = 1 << 30;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    struct {
      struct nlmsghdr nh;
      char junk[64];
    } req;
    memset(&req, 0, sizeof req);
    req.nh.nlmsg_len = sizeof req;
    req.nh.nlmsg_type = 0x7777; /* unknown type: the kernel answers NLMSG_ERROR with a copy of it */
    req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    for (int k = 0; k < REQUESTS_PER_SOCKET; k++)
      if (sendto(fd, &req, sizeof req, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) break;
  }
  fact("netlink-route-socket", opened > 0, first_errno);
  /* Hold whatever was queued while the suite samples the host. */
  sleep(1);
  return 0;
}
