/* T69 kernel surface a judge never needs. How: open MPTCP, UDP-Lite, SCTP (stream and
 * SOCK_SEQPACKET with protocol 0, which picks SCTP when its module is loaded) and ICMP sockets;
 * attach a classic BPF filter (SO_ATTACH_FILTER runs JIT-compiled code although bpf() is denied)
 * and a reuseport filter; set the TCP upper-layer protocol "tls"; retry the refused calls with
 * junk in the upper half of the int argument registers (the kernel ignores it, a 64-bit filter
 * compare must not). Expected safe outcome: every one refused (ENOSYS from seccomp; the kernel's
 * own EPROTONOSUPPORT/EPERM where a protocol is missing). Controls: TCP and UDP sockets open, and
 * SO_REUSEADDR and TCP_NODELAY are set. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <linux/filter.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif
#ifndef SO_ATTACH_REUSEPORT_CBPF
#define SO_ATTACH_REUSEPORT_CBPF 51
#endif
#ifndef TCP_ULP
#define TCP_ULP 31
#endif
#define HIGH 0xdead00000000UL

int main(void) {
  int tcp = socket(AF_INET, SOCK_STREAM, 0);
  fact("socket-tcp-control", tcp >= 0, errno);
  int udp = socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP);
  fact("socket-udp-control", udp >= 0, errno);
  TRY("socket-mptcp", socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP));
  TRY("socket-mptcp6", socket(AF_INET6, SOCK_STREAM, IPPROTO_MPTCP));
  TRY("socket-mptcp-high-bits", syscall(SYS_socket, AF_INET, SOCK_STREAM, HIGH | IPPROTO_MPTCP));
  TRY("socket-udplite", socket(AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE));
  TRY("socket-sctp", socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP));
  TRY("socket-seqpacket-default", socket(AF_INET, SOCK_SEQPACKET, 0));
  TRY("socket-icmp", socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP));
  int one = 1;
  TRY("setsockopt-reuseaddr-control", setsockopt(tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
  TRY("setsockopt-nodelay-control", setsockopt(tcp, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one));
  struct sock_filter accept_all[] = {BPF_STMT(BPF_RET | BPF_K, 0xffff)};
  struct sock_fprog prog = {.len = 1, .filter = accept_all};
  TRY("so-attach-filter", setsockopt(udp, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog));
  TRY("so-attach-filter-high-bits",
      syscall(SYS_setsockopt, udp, SOL_SOCKET, HIGH | SO_ATTACH_FILTER, &prog, sizeof prog));
  TRY("so-attach-reuseport-cbpf", setsockopt(udp, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog, sizeof prog));
  TRY("tcp-ulp-tls", setsockopt(tcp, IPPROTO_TCP, TCP_ULP, "tls", 3));
  TRY("tcp-ulp-tls-high-bits", syscall(SYS_setsockopt, tcp, IPPROTO_TCP, HIGH | TCP_ULP, "tls", 3));
  return 0;
}
