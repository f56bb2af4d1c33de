/* What the addon prepares ahead of demand (binding/pool.cc): netns helper and launcher (netns.c), cgroup sweep. */
#ifndef SBX_POOL_H
#define SBX_POOL_H

#include "sbx.h"

/* A running long-lived helper: `sbx-init --netns-pool` or `sbx-init --launcher`. */
typedef struct {
  pid_t pid;
  int sock; /* SOCK_SEQPACKET, O_CLOEXEC; owned */
} sbx_helper_t;

/* mode: "--netns-pool" or "--launcher". userns_fd: the rootless outer user namespace (the helper
 * enters it: namespaces and runs are made inside it), or -1. */
int sbx_helper_start(const char *helper, const char *mode, int userns_fd, sbx_helper_t *h, sbx_error_t *err);
/* One fresh network namespace with lo up; *ns_fd is O_CLOEXEC and owned by the caller. */
int sbx_netns_helper_take(sbx_helper_t *h, int *ns_fd, sbx_error_t *err);
void sbx_helper_stop(sbx_helper_t *h);

#endif
