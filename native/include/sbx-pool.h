/* What the addon prepares ahead of demand (binding/pool.cc): netns helper (netns.c), cgroup sweep. */
#ifndef SBX_POOL_H
#define SBX_POOL_H

#include "sbx.h"

/* The running `sbx-init --netns-pool` helper. */
typedef struct {
  pid_t pid;
  int sock; /* SOCK_SEQPACKET, O_CLOEXEC; owned */
} sbx_netns_helper_t;

/* userns_fd: rootless outer user namespace (the namespaces are made inside it), or -1. */
int sbx_netns_helper_start(const char *helper, int userns_fd, sbx_netns_helper_t *h, sbx_error_t *err);
/* One fresh network namespace with lo up; *ns_fd is O_CLOEXEC and owned by the caller. */
int sbx_netns_helper_take(sbx_netns_helper_t *h, int *ns_fd, sbx_error_t *err);
void sbx_netns_helper_stop(sbx_netns_helper_t *h);

#endif
