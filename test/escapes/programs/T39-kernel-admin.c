/* T39 module, kexec and host-admin calls. How: each call gets arguments that are invalid in a way the
 * kernel checks only after the permission check, so EPERM proves the permission wall (seccomp deny
 * group, then capabilities) and anything else (EINVAL, ENOENT, EFAULT) would show it was passed.
 * Expected safe outcome: every call fails with EPERM (ENOSYS acceptable). Control: uname succeeds. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <sys/syscall.h>
#include <sys/timex.h>
#include <sys/utsname.h>
#include <unistd.h>

int main(void) {
  TRY("init-module", syscall(SYS_init_module, NULL, 0, ""));
  TRY("finit-module", syscall(SYS_finit_module, -1, "", 0));
  TRY("delete-module", syscall(SYS_delete_module, "t39_no_such_module", 0));
  TRY("kexec-load", syscall(SYS_kexec_load, 0, 0, NULL, 0));
  TRY("kexec-file-load", syscall(SYS_kexec_file_load, -1, -1, 0, "", 0));
  TRY("reboot-bad-magic", syscall(SYS_reboot, 0, 0, 0, NULL));
  TRY("swapon", syscall(SYS_swapon, "/t39-no-such-file", 0));
  TRY("swapoff", syscall(SYS_swapoff, "/t39-no-such-file"));
  TRY("acct", syscall(SYS_acct, "/t39-no-such-file"));
  TRY("iopl", syscall(SYS_iopl, 3));
  TRY("ioperm", syscall(SYS_ioperm, 0x80, 1, 1));
  struct timex tx = {.modes = ADJ_OFFSET, .offset = 1};
  TRY("adjtimex-set", syscall(SYS_adjtimex, &tx));
  TRY("sethostname", syscall(SYS_sethostname, "t39", 3));
  TRY("setdomainname", syscall(SYS_setdomainname, "t39", 3));
  char buf[64];
  TRY("syslog-read-all", syscall(SYS_syslog, 3 /* SYSLOG_ACTION_READ_ALL */, buf, sizeof buf));
  TRY("quotactl", syscall(SYS_quotactl, 0x800002 /* Q_GETQUOTA, usrquota */, "/t39-no-such-dev", 0, buf));
  TRY("lookup-dcookie", syscall(SYS_lookup_dcookie, 0, buf, sizeof buf));
  struct utsname u;
  TRY("uname-control", uname(&u));
  return 0;
}
