// The pool: prepared runs made ahead of demand on one background thread, and used cgroups
// removed after their run on the same thread, so neither the JS thread nor the waiter thread
// pays for mkdir/rmdir, netns creation, the exec of sbx-init, the clone or the cgroup join.
// A prepared run is a fresh cgroup (limits of the last take written) plus an sbx-init spawned
// into a fresh network namespace from the netns helper, its namespaces cloned, its pid 1 in that
// cgroup, waiting for a spec. No Node headers.
//
// Every object is used by exactly one run and never again: a prepared run gets one spec or is
// killed; its cgroup is retired (rmdir) after every process of that run is gone; a netns fd is
// handed to one helper and closed. Sizes are bounded by `target`, and creation follows
// consumption, so new v1 memory cgroups (which linger as "dying" after rmdir) come at the run rate.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

extern "C" {
#include "sbx-pool.h"
#include "sbx-spawn.h"
#include "sbx.h"
}

namespace sbx {

class Pool {
 public:
  // userns_fd: rootless outer user namespace (not owned), or -1. target 0: nothing prepared.
  Pool(const sbx_cgroup_config_t &cfg, std::string helper, int userns_fd, size_t target);
  ~Pool();
  // Sweeps cgroups left by dead workers, then starts the thread. 0 or a negative errno.
  int Start(sbx_error_t *err);
  // JS thread: a prepared run with `limits` on its cgroup; both owned by the caller from here on.
  // False when none is ready. *pooled_netns: its netns came from the netns helper (lo up).
  bool TakePrepared(const sbx_limits_t &limits, sbx_child_t *child, sbx_cgroup_t *cg, bool *pooled_netns);
  // JS thread, when nothing is prepared: a fresh cgroup made here, errors reported.
  int CreateCgroup(const sbx_limits_t &limits, sbx_cgroup_t *out, sbx_error_t *err);
  // Any thread, once every process of the cgroup's run is gone (or will be, having been killed):
  // removed in the background.
  void Retire(sbx_cgroup_t &cg);
  // Joins the thread, kills every prepared run and the netns helper, removes every cgroup.
  // Idempotent.
  void Stop();

 private:
  struct Prepared {
    sbx_child_t child;
    sbx_cgroup_t cg;
    bool pooled_netns;
    bool has_limits;
    sbx_limits_t limits;
  };
  void Loop();
  bool NeedPrepared() const { return !broken_ && prepared_.size() < target_; }
  std::string NextName();
  int MakeNetns();
  void Prepare(std::unique_lock<std::mutex> &lk);

  const sbx_cgroup_config_t cfg_;
  const std::string helper_;
  const int userns_fd_;
  const size_t target_;
  std::thread thread_;
  // Touched by the pool thread only (and by Stop after the join).
  sbx_netns_helper_t netns_helper_{-1, -1};
  bool helper_started_ = false;
  // Guarded by mu_.
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Prepared> prepared_;
  std::deque<sbx_cgroup_t> retire_;
  bool stopping_ = false, stopped_ = false;
  bool broken_ = false;     // the last prepare failed: wait for a take before trying again
  bool ns_broken_ = false;  // no netns helper or it refused: helpers clone their own netns
  bool has_last_ = false;   // limits of the last take: what new cgroups get written ahead
  sbx_limits_t last_limits_{};
};

}  // namespace sbx
