/*
 * Capabilities: the program ends with every set empty (inheritable, permitted, effective,
 * bounding, ambient) and runs as the sandbox user (T41, T42); container pid 1 keeps only what its
 * reap/kill/collect loop needs once the program is forked (T67).
 */
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sbx.h"

static int drop_bounding(sbx_error_t *err) {
  for (int cap = 0; cap < 64; cap++) {
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
      if (errno == EINVAL) break; /* past the kernel's last capability */
      return sbx_error_set(err, SBX_PHASE_SETUP, errno, "PR_CAPBSET_DROP %d", cap);
    }
  }
  return 0;
}

static int clear_sets(sbx_error_t *err) {
  struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct d[2] = {{0, 0, 0}, {0, 0, 0}};
  if (syscall(SYS_capset, &h, d) < 0) return sbx_error_set(err, SBX_PHASE_SETUP, errno, "capset(0)");
  if (syscall(SYS_capget, &h, d) < 0) return sbx_error_set(err, SBX_PHASE_SETUP, errno, "capget");
  if (d[0].permitted | d[1].permitted | d[0].effective | d[1].effective | d[0].inheritable | d[1].inheritable)
    return sbx_error_set(err, SBX_PHASE_SETUP, EPERM, "capabilities survived the drop");
  return 0;
}

int sbx_caps_drop_to_user(sbx_error_t *err) {
  int r;
  /* Bounding needs CAP_SETPCAP, so it goes while we are still container root. */
  if ((r = drop_bounding(err)) < 0) return r;
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    return sbx_error_set(err, SBX_PHASE_SETUP, errno, "PR_CAP_AMBIENT_CLEAR_ALL");
  gid_t gid = SBX_SANDBOX_GID;
  if (setgroups(1, &gid) < 0) return sbx_error_set(err, SBX_PHASE_SETUP, errno, "setgroups");
  /* gid before uid: after setresuid we no longer hold CAP_SETGID. */
  if (setresgid(SBX_SANDBOX_GID, SBX_SANDBOX_GID, SBX_SANDBOX_GID) < 0)
    return sbx_error_set(err, SBX_PHASE_SETUP, errno, "setresgid");
  if (setresuid(SBX_SANDBOX_UID, SBX_SANDBOX_UID, SBX_SANDBOX_UID) < 0)
    return sbx_error_set(err, SBX_PHASE_SETUP, errno, "setresuid");
  /* The uid change cleared permitted/effective; inheritable needs an explicit capset. */
  return clear_sets(err);
}

int sbx_caps_keep_supervisor(sbx_error_t *err) {
  int r;
  /* pid 1 never execs again, so an empty bounding set costs it nothing and closes file caps. */
  if ((r = drop_bounding(err)) < 0) return r;
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    return sbx_error_set(err, SBX_PHASE_SETUP, errno, "PR_CAP_AMBIENT_CLEAR_ALL");
  /*
   * T67: CAP_KILL for kill(-1) of the program's processes (another uid), CAP_DAC_READ_SEARCH to
   * read what the program left in /box whatever its modes. Nothing else: no CAP_SYS_ADMIN over
   * the run's namespaces, no setuid, no DAC override for writes, no ptrace.
   */
  uint32_t keep = (1u << CAP_KILL) | (1u << CAP_DAC_READ_SEARCH);
  struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct d[2] = {{keep, keep, 0}, {0, 0, 0}};
  if (syscall(SYS_capset, &h, d) < 0) return sbx_error_set(err, SBX_PHASE_SETUP, errno, "capset(supervisor)");
  return 0;
}
