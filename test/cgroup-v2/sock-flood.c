/*
 * Loopback socket-buffer flood, run inside the sandbox by the cgroup v2 suite: opens TCP
 * connections whose receiver never reads and UDP sockets nobody reads, fills every buffer
 * without blocking, and prints {"sentBytes":N,"tcp":N,"udp":N} once no socket takes more.
 * On cgroup v2 the kernel charges socket buffers to the run's memory cgroup, so the total is
 * bounded by the memory limit (or the run is OOM-killed) instead of by the host's TCP/UDP memory.
 *
 *   sock-flood <tcp connections> <udp sockets>
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static char chunk[65536];
static long long queued; /* bytes the kernel accepted */

static void big_buffers(int fd) {
  int size = 16 << 20; /* clamped by the kernel to wmem_max/rmem_max */
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
}

/* TCP stops at EAGAIN (buffer or memory full); UDP to a full receiver drops silently, so its
 * sends are bounded: twice what the receive buffer can hold. */
static void fill(int fd, const struct sockaddr_in *to, size_t len, long max_sends) {
  fcntl(fd, F_SETFL, O_NONBLOCK);
  for (long i = 0; i < max_sends; i++) {
    ssize_t n = to ? sendto(fd, chunk, len, 0, (const struct sockaddr *)to, sizeof(*to)) : send(fd, chunk, len, 0);
    if (n <= 0) return;
    queued += n;
  }
}

/* A loopback socket with big buffers, bound to a free port written to *a. */
static int bound_socket(int type, struct sockaddr_in *a) {
  socklen_t len = sizeof(*a);
  *a = (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  int fd = socket(AF_INET, type, 0);
  if (fd < 0) return -1;
  big_buffers(fd);
  if (bind(fd, (struct sockaddr *)a, sizeof(*a)) || getsockname(fd, (struct sockaddr *)a, &len)) return -1;
  return fd;
}

static int tcp_pair(void) {
  struct sockaddr_in a;
  int l = bound_socket(SOCK_STREAM, &a), c = socket(AF_INET, SOCK_STREAM, 0);
  if (l < 0 || c < 0 || listen(l, 1)) return -1;
  big_buffers(c);
  if (connect(c, (struct sockaddr *)&a, sizeof(a))) return -1;
  int s = accept(l, NULL, NULL);
  close(l);
  if (s < 0) return -1;
  fill(c, NULL, sizeof(chunk), 1L << 20);
  return 0;
}

static int udp_sink(void) {
  struct sockaddr_in a;
  int r = bound_socket(SOCK_DGRAM, &a), s = socket(AF_INET, SOCK_DGRAM, 0);
  if (r < 0 || s < 0) return -1;
  big_buffers(s);
  int rcv = 0;
  socklen_t rl = sizeof(rcv);
  getsockopt(r, SOL_SOCKET, SO_RCVBUF, &rcv, &rl);
  fill(s, &a, 8192, 2L * rcv / 8192 + 1);
  return 0;
}

int main(int argc, char **argv) {
  int tcp = argc > 1 ? atoi(argv[1]) : 64, udp = argc > 2 ? atoi(argv[2]) : 64, t = 0, u = 0;
  memset(chunk, 'x', sizeof(chunk));
  while (t < tcp && tcp_pair() == 0) t++;
  while (u < udp && udp_sink() == 0) u++;
  printf("{\"sentBytes\":%lld,\"tcp\":%d,\"udp\":%d}\n", queued, t, u);
  return 0;
}
