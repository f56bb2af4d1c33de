/* T33 How: keyring: add_key a user key and read the session keyring with keyctl. Keyrings are not namespaced, so a key
 * could carry data to the next run or read another user key. Expected safe outcome: every call fails (EPERM from the
 * seccomp deny group; ENOSYS/EACCES also acceptable) or the process is killed by seccomp. Control: getpid through
 * syscall() succeeds. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
  TRY("add-key", syscall(SYS_add_key, "user", "t33-marker", "persist", 7, -3 /* KEY_SPEC_SESSION_KEYRING */));
  TRY("keyctl-get-session", syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0));
  TRY("request-key", syscall(SYS_request_key, "user", "t33-marker", NULL, 0));
  TRY("getpid-control", syscall(SYS_getpid));
  return 0;
}
