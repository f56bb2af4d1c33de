// The pool thread (see pool.h).
#include "pool.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <utility>

namespace sbx {

namespace {

// Only these three limits live in the cgroup; the rest is applied by sbx-init per process.
bool SameCgroupLimits(const sbx_limits_t &a, const sbx_limits_t &b) {
  return a.memory_bytes == b.memory_bytes && a.pids == b.pids && a.cpu_millicores == b.cpu_millicores;
}

}  // namespace

Pool::Pool(const sbx_cgroup_config_t &cfg, std::string helper, int userns_fd, size_t target)
    : cfg_(cfg), helper_(std::move(helper)), userns_fd_(userns_fd), target_(target) {}

Pool::~Pool() { Stop(); }

int Pool::Start(sbx_error_t *err) {
  // Before our first mkdir: a killed worker leaves its cgroups behind, and only a later start
  // can remove them (named r<pid>-<n>; only those of pids that no longer exist are touched).
  sbx_cgroup_sweep_stale(&cfg_);
  try {
    thread_ = std::thread([this] { Loop(); });
  } catch (const std::system_error &e) {
    return sbx_error_set(err, SBX_PHASE_SPAWN, e.code().value(), "pool thread");
  }
  return 0;
}

std::string Pool::NextName() {
  // The pid makes names unique across workers and lets a sweep find the dead ones; the counter
  // is per process, so two Runners in one process never collide either.
  static std::atomic<uint64_t> counter{0};
  return "r" + std::to_string(getpid()) + "-" + std::to_string(++counter);
}

void Pool::Loop() {
  std::unique_lock<std::mutex> lk(mu_);
  for (;;) {
    cv_.wait(lk, [this] { return stopping_ || !retire_.empty() || NeedCgroup() || NeedChild(); });
    if (stopping_) return;
    // Removal first: it bounds how many cgroups exist at once.
    if (!retire_.empty()) {
      sbx_cgroup_t cg = retire_.front();
      retire_.pop_front();
      lk.unlock();
      sbx_error_t ignored;
      sbx_cgroup_destroy(&cg, &ignored);
      lk.lock();
      continue;
    }
    Refill(NeedCgroup(), NeedChild(), lk);
  }
}

// Pool thread only. A fresh netns fd, or -1 (then the helper clones its own).
int Pool::MakeNetns() {
  sbx_error_t err{};
  if (ns_broken_) return -1;
  if (!helper_started_) helper_started_ = sbx_netns_helper_start(helper_.c_str(), userns_fd_, &netns_helper_, &err) == 0;
  int fd = -1;
  if (!helper_started_ || sbx_netns_helper_take(&netns_helper_, &fd, &err) < 0) {
    std::lock_guard<std::mutex> lock(mu_);
    ns_broken_ = true;
    return -1;
  }
  return fd;
}

void Pool::Refill(bool want_cg, bool want_child, std::unique_lock<std::mutex> &lk) {
  Ready ready{};
  ready.has_limits = has_last_;
  ready.limits = last_limits_;
  std::string name = want_cg ? NextName() : std::string();
  lk.unlock();
  sbx_error_t err{};
  bool cg_ok = want_cg && sbx_cgroup_create(&cfg_, name.c_str(), ready.has_limits ? &ready.limits : nullptr,
                                            &ready.cg, &err) == 0;
  Prepared prepared{};
  bool child_ok = false;
  if (want_child) {
    int ns_fd = MakeNetns();
    prepared.pooled_netns = ns_fd >= 0;
    child_ok = sbx_spawn_prepare(helper_.c_str(), userns_fd_, ns_fd, &prepared.child, &err) == 0;
    // The helper holds it now (or nobody does): this namespace can serve no other run.
    if (ns_fd >= 0) close(ns_fd);
  }
  lk.lock();
  if (want_cg) {
    if (cg_ok) cgroups_.push_back(ready);
    else cg_broken_ = true;
  }
  if (want_child) {
    if (child_ok) children_.push_back(prepared);
    else child_broken_ = true;
  }
}

int Pool::TakeCgroup(const sbx_limits_t &limits, sbx_cgroup_t *out, sbx_error_t *err) {
  Ready ready{};
  bool found = false;
  std::string name;
  {
    std::lock_guard<std::mutex> lock(mu_);
    has_last_ = true;
    last_limits_ = limits;
    if (!cgroups_.empty()) {
      ready = cgroups_.front();
      cgroups_.pop_front();
      found = true;
    } else {
      name = NextName();
    }
  }
  cv_.notify_one();
  if (!found) {
    // Pool empty (a burst, or the background create failed): made here, errors reported.
    int r = sbx_cgroup_create(&cfg_, name.c_str(), &limits, out, err);
    if (r == 0) {
      std::lock_guard<std::mutex> lock(mu_);
      cg_broken_ = false;
    }
    cv_.notify_one();
    return r;
  }
  *out = ready.cg;
  if (ready.has_limits && SameCgroupLimits(ready.limits, limits)) return 0;
  int r = sbx_cgroup_set_limits(out, &limits, err);
  if (r < 0) {
    // Never handed to a run: a cgroup whose limits did not take is destroyed, not reused.
    sbx_error_t ignored;
    sbx_cgroup_destroy(out, &ignored);
  }
  return r;
}

bool Pool::TakeChild(sbx_child_t *out, bool *pooled_netns) {
  std::lock_guard<std::mutex> lock(mu_);
  // A take that finds none clears a failure mark: the next refill tries again.
  child_broken_ = false;
  cv_.notify_one();
  if (children_.empty()) return false;
  *out = children_.front().child;
  *pooled_netns = children_.front().pooled_netns;
  children_.pop_front();
  return true;
}

void Pool::Retire(sbx_cgroup_t &cg) {
  if (cg.cpu_fd >= 0) close(cg.cpu_fd);
  cg.cpu_fd = -1;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopped_) {
      retire_.push_back(cg);
      cg.n_dirs = 0;
    }
  }
  cv_.notify_one();
  // After Stop there is no thread: removed right here.
  sbx_error_t ignored;
  if (cg.n_dirs > 0) sbx_cgroup_destroy(&cg, &ignored);
}

void Pool::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::deque<Ready> cgroups;
  std::deque<sbx_cgroup_t> retire;
  std::deque<Prepared> children;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
    cgroups.swap(cgroups_);
    retire.swap(retire_);
    children.swap(children_);
  }
  sbx_error_t ignored;
  for (Ready &r : cgroups) sbx_cgroup_destroy(&r.cg, &ignored);
  for (sbx_cgroup_t &cg : retire) sbx_cgroup_destroy(&cg, &ignored);
  for (Prepared &p : children) sbx_spawn_discard(&p.child);
  if (helper_started_) sbx_netns_helper_stop(&netns_helper_);
  helper_started_ = false;
}

}  // namespace sbx
