/* T29 AF_VSOCK and AF_ALG. How: open a vsock socket (reaches the hypervisor host) and an AF_ALG
 * socket (kernel crypto API, a source of kernel bugs), plus AF_KEY and AF_BLUETOOTH for good measure.
 * Expected safe outcome: socket() fails (ENOSYS from seccomp, or EPERM/EAFNOSUPPORT/EACCES).
 * Control: an AF_UNIX socket opens. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <sys/socket.h>

int main(void) {
  TRY("socket-vsock", socket(40 /* AF_VSOCK */, SOCK_STREAM, 0));
  TRY("socket-alg", socket(38 /* AF_ALG */, SOCK_SEQPACKET, 0));
  TRY("socket-key", socket(15 /* AF_KEY */, SOCK_RAW, 2));
  TRY("socket-bluetooth", socket(31 /* AF_BLUETOOTH */, SOCK_RAW, 0));
  TRY("socket-unix", socket(AF_UNIX, SOCK_STREAM, 0));
  return 0;
}
