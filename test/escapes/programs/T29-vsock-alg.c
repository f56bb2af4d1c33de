/* T29 AF_VSOCK and AF_ALG. How: open a vsock socket (reaches the hypervisor host) and an AF_ALG
 * socket (kernel crypto API, a source of kernel bugs), plus AF_KEY and AF_BLUETOOTH for good measure.
 * Expected safe outcome: socket() fails (ENOSYS from seccomp, or EPERM/EAFNOSUPPORT/EACCES).
 * Control: an AF_UNIX socket opens. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* One fact per line: ok = the operation succeeded (or the stated condition holds). */
static void fact(const char *check, int ok, int err) {
  const char *name = (ok || err == 0) ? "" : strerrorname_np(err);
  printf("{\"check\":\"%s\",\"ok\":%s,\"errno\":\"%s\"}\n", check, ok ? "true" : "false", name ? name : "?");
  fflush(stdout);
}

/* Records whether a call returning -1 on failure succeeded, with its errno. */
#define TRY(check, call) do { errno = 0; long r_ = (long)(call); fact(check, r_ != -1, errno); } while (0)
#include <sys/socket.h>

int main(void) {
  TRY("socket-vsock", socket(40 /* AF_VSOCK */, SOCK_STREAM, 0));
  TRY("socket-alg", socket(38 /* AF_ALG */, SOCK_SEQPACKET, 0));
  TRY("socket-key", socket(15 /* AF_KEY */, SOCK_RAW, 2));
  TRY("socket-bluetooth", socket(31 /* AF_BLUETOOTH */, SOCK_RAW, 0));
  TRY("socket-unix", socket(AF_UNIX, SOCK_STREAM, 0));
  return 0;
}
