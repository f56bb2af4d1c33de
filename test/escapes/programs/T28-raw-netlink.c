/* T28 raw, packet and netlink-route manipulation. How: open a raw ICMP socket, an AF_PACKET socket
 * and a NETLINK_NETFILTER socket, then try a NETLINK_ROUTE socket to take `lo` down.
 * Expected safe outcome: raw and packet sockets fail (EPERM without CAP_NET_RAW, ENOSYS from
 * seccomp); every netlink socket fails, NETLINK_ROUTE included (refused since T65: its receive
 * queues were kernel memory outside the cgroup); were it opened, the RTM_NEWLINK request would be
 * answered with EPERM (no CAP_NET_ADMIN). Control: a UDP socket opens. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void) {
  TRY("socket-raw-icmp", socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
  TRY("socket-packet", socket(AF_PACKET, SOCK_RAW, htons(0x0003)));
  TRY("socket-netlink-netfilter", socket(AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER));
  TRY("socket-udp-control", socket(AF_INET, SOCK_DGRAM, 0));
  int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
  fact("socket-netlink-route", fd >= 0, errno);
  if (fd < 0) return 0;
  struct {
    struct nlmsghdr nh;
    struct ifinfomsg ifi;
  } req;
  memset(&req, 0, sizeof req);
  req.nh.nlmsg_len = sizeof req;
  req.nh.nlmsg_type = RTM_NEWLINK;
  req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  req.ifi.ifi_family = AF_UNSPEC;
  req.ifi.ifi_index = (int)if_nametoindex("lo");
  req.ifi.ifi_change = IFF_UP;
  req.ifi.ifi_flags = 0;
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  if (sendto(fd, &req, sizeof req, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) {
    fact("link-down", 0, errno);
    return 0;
  }
  char buf[4096];
  ssize_t n = recv(fd, buf, sizeof buf, 0);
  struct nlmsghdr *nh = (struct nlmsghdr *)buf;
  if (n >= (ssize_t)sizeof *nh && nh->nlmsg_type == NLMSG_ERROR) {
    int code = -((struct nlmsgerr *)NLMSG_DATA(nh))->error;
    fact("link-down", code == 0, code);
  } else {
    fact("link-down", 0, n < 0 ? errno : 0);
  }
  return 0;
}
