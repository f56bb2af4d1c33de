/* T65 kernel memory outside the memory cgroup: loopback socket buffers. How: open UDP receivers
 * that never read, raise their SO_RCVBUF to the host's maximum and send them 60 KiB datagrams;
 * then open TCP connections whose receiver never reads and write into each until it would block.
 * On cgroup v1 these queues were charged to nothing (325 MiB of UDP and 320 MiB of TCP queued under
 * a 256 MiB limit). Expected safe outcome: the queues stop far below the run's memory limit (v1:
 * the per-run socket limit charges TCP and UDP; v2: memory.max does), and the host's socket memory
 * and unreclaimable slab grow by less than the limit (checked by the suite from the host); the run's
 * TCP autotuning ceiling is 1 MiB. Stdin: the run's memory limit in MiB. Controls: the first
 * datagram and the first TCP write are queued. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facts.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define PAIRS 100
#define DATAGRAM_BYTES 61440
#define DATAGRAMS_PER_RECEIVER 400

static char payload[1 << 20];

static struct sockaddr_in loopback(void) {
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  return a;
}

/* Receivers that hold at least one datagram (the queue's length is not visible to the sender). */
static int fill_udp(void) {
  int holding = 0;
  int sender = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  for (int i = 0; i < PAIRS && sender >= 0; i++) {
    struct sockaddr_in a = loopback();
    socklen_t len = sizeof a;
    int r = socket(AF_INET, SOCK_DGRAM, 0);
    int big = 1 << 30;
    setsockopt(r, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    if (r < 0 || bind(r, (struct sockaddr *)&a, len) < 0 || getsockname(r, (struct sockaddr *)&a, &len) < 0) break;
    for (int k = 0; k < DATAGRAMS_PER_RECEIVER; k++)
      sendto(sender, payload, DATAGRAM_BYTES, 0, (struct sockaddr *)&a, len);
    int inq = 0;
    ioctl(r, FIONREAD, &inq);
    if (i == 0) fact("udp-first-datagram-queued", inq > 0, errno);
    holding += inq > 0;
  }
  return holding;
}

static long long fill_tcp(void) {
  long long queued = 0;
  struct sockaddr_in a = loopback();
  socklen_t len = sizeof a;
  int lst = socket(AF_INET, SOCK_STREAM, 0);
  if (lst < 0 || bind(lst, (struct sockaddr *)&a, len) < 0 || listen(lst, PAIRS) < 0 ||
      getsockname(lst, (struct sockaddr *)&a, &len) < 0) {
    fact("tcp-first-write", 0, errno);
    return 0;
  }
  for (int i = 0; i < PAIRS; i++) {
    int c = socket(AF_INET, SOCK_STREAM, 0);
    int big = 1 << 30;
    setsockopt(c, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    if (c < 0 || connect(c, (struct sockaddr *)&a, len) < 0) break;
    int s = accept(lst, NULL, NULL);
    setsockopt(s, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    fcntl(c, F_SETFL, O_NONBLOCK);
    long long mine = 0;
    for (;;) {
      ssize_t k = send(c, payload, sizeof payload, MSG_NOSIGNAL);
      if (k <= 0) break;
      mine += k;
    }
    if (i == 0) fact("tcp-first-write", mine > 0, errno);
    queued += mine;
  }
  return queued;
}

int main(void) {
  long long limit_mib = 0;
  if (scanf("%lld", &limit_mib) != 1 || limit_mib <= 0) limit_mib = 128;
  memset(payload, 'q', sizeof payload);
  FILE *f = fopen("/proc/sys/net/ipv4/tcp_rmem", "r");
  long long lo = 0, def = 0, max = 0;
  int got = f ? fscanf(f, "%lld %lld %lld", &lo, &def, &max) : 0;
  fact("tcp-rmem-max-at-most-1mib", got == 3 && max <= (1 << 20), f ? 0 : errno);
  if (f) fclose(f);
  int udp = fill_udp();
  long long tcp = fill_tcp();
  printf("{\"check\":\"queued\",\"ok\":true,\"errno\":\"\",\"udpReceivers\":%d,\"tcpMiB\":%lld}\n", udp, tcp >> 20);
  fact("tcp-queued-below-limit", tcp < (limit_mib << 20), 0);
  /* Hold the queues while the suite samples the host's socket memory. */
  sleep(1);
  return 0;
}
