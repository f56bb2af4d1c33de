// The pool: per-run cgroups and prepared sbx-init helpers (spawned, in a fresh network namespace
// made by the netns helper, the run's other namespaces cloned, waiting for a spec) made ahead of
// demand on one background thread; used cgroups removed after their run on the same thread. So
// neither the JS thread nor the waiter thread pays for mkdir/rmdir, netns creation, the exec of
// sbx-init or the clone. No Node headers.
//
// Every object is used by exactly one run and never again: a cgroup goes ready → taken by one
// run → retired (rmdir) after every process of that run is gone; a prepared helper gets one
// spec (or is killed); a netns fd is handed to one helper and closed. Sizes are bounded by `target` (creation follows consumption, so
// the rate of new v1 memory cgroups, which linger as "dying" after rmdir, is the run rate).
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
  // JS thread: a cgroup no run used before, with `limits` written (made here when none is ready).
  int TakeCgroup(const sbx_limits_t &limits, sbx_cgroup_t *out, sbx_error_t *err);
  // JS thread: a prepared helper (owned by the caller from here on); false when none is ready.
  // *pooled_netns: it sits in a netns from the netns helper (lo up), not one of its own.
  bool TakeChild(sbx_child_t *out, bool *pooled_netns);
  // Any thread, once every process of the cgroup's run is gone: removed in the background.
  void Retire(sbx_cgroup_t &cg);
  // Joins the thread, removes every cgroup (ready or retired), kills every prepared helper and
  // the netns helper. Idempotent.
  void Stop();

 private:
  struct Ready {
    sbx_cgroup_t cg;
    bool has_limits;
    sbx_limits_t limits;
  };
  struct Prepared {
    sbx_child_t child;
    bool pooled_netns;
  };
  void Loop();
  bool NeedCgroup() const { return !cg_broken_ && cgroups_.size() < target_; }
  bool NeedChild() const { return !child_broken_ && children_.size() < target_; }
  int MakeNetns();
  std::string NextName();
  void Refill(bool want_cg, bool want_child, std::unique_lock<std::mutex> &lk);

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
  std::deque<Ready> cgroups_;
  std::deque<sbx_cgroup_t> retire_;
  std::deque<Prepared> children_;
  bool stopping_ = false, stopped_ = false;
  bool cg_broken_ = false;  // the last background create failed: wait for a take to succeed
  bool child_broken_ = false;  // the last prepare failed: wait for a take to need one
  bool ns_broken_ = false;     // no netns helper or it refused: helpers clone their own netns
  bool has_last_ = false;   // limits of the last take: what new cgroups get written ahead
  sbx_limits_t last_limits_{};
};

}  // namespace sbx
