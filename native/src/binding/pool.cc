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
    cv_.wait(lk, [this] { return stopping_ || !retire_.empty() || NeedPrepared(); });
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
    Prepare(lk);
  }
}

// Pool thread only. A fresh netns fd, or -1 (then the helper clones its own).
int Pool::MakeNetns() {
  sbx_error_t err{};
  if (ns_broken_) return -1;
  if (!helper_started_)
    helper_started_ = sbx_netns_helper_start(helper_.c_str(), userns_fd_, &netns_helper_, &err) == 0;
  int fd = -1;
  if (!helper_started_ || sbx_netns_helper_take(&netns_helper_, &fd, &err) < 0) {
    ns_broken_ = true;
    return -1;
  }
  return fd;
}

void Pool::Prepare(std::unique_lock<std::mutex> &lk) {
  Prepared p{};
  p.has_limits = has_last_;
  p.limits = last_limits_;
  std::string name = NextName();
  lk.unlock();
  sbx_error_t err{};
  bool ok = sbx_cgroup_create(&cfg_, name.c_str(), p.has_limits ? &p.limits : nullptr, &p.cg, &err) == 0;
  if (ok) {
    int ns_fd = MakeNetns();
    p.pooled_netns = ns_fd >= 0;
    ok = sbx_spawn_prepare(helper_.c_str(), userns_fd_, ns_fd, &p.cg, &p.child, &err) == 0;
    // The helper holds it now (or nobody does): this namespace can serve no other run.
    if (ns_fd >= 0) close(ns_fd);
    if (!ok) sbx_cgroup_destroy(&p.cg, &err);
  }
  lk.lock();
  if (ok)
    prepared_.push_back(p);
  else
    broken_ = true;
}

bool Pool::TakePrepared(const sbx_limits_t &limits, sbx_child_t *child, sbx_cgroup_t *cg, bool *pooled_netns) {
  Prepared p{};
  bool found = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    has_last_ = true;
    last_limits_ = limits;
    // A take clears a failure mark: the next refill tries again.
    broken_ = false;
    if (!prepared_.empty()) {
      p = prepared_.front();
      prepared_.pop_front();
      found = true;
    }
  }
  cv_.notify_one();
  if (!found) return false;
  sbx_error_t err{};
  // pid 1 sits in this cgroup already, idle until its spec and go byte: the limits are in
  // place before it runs anything of the run.
  if (!(p.has_limits && SameCgroupLimits(p.limits, limits)) && sbx_cgroup_set_limits(&p.cg, &limits, &err) < 0) {
    // A cgroup whose limits did not take is never used: the caller makes a fresh run.
    sbx_spawn_discard(&p.child);
    Retire(p.cg);
    return false;
  }
  *child = p.child;
  *cg = p.cg;
  *pooled_netns = p.pooled_netns;
  return true;
}

int Pool::CreateCgroup(const sbx_limits_t &limits, sbx_cgroup_t *out, sbx_error_t *err) {
  std::string name;
  {
    std::lock_guard<std::mutex> lock(mu_);
    name = NextName();
  }
  return sbx_cgroup_create(&cfg_, name.c_str(), &limits, out, err);
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
  std::deque<Prepared> prepared;
  std::deque<sbx_cgroup_t> retire;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
    prepared.swap(prepared_);
    retire.swap(retire_);
  }
  sbx_error_t ignored;
  // Helpers before their cgroups: a cgroup is removable once its processes are gone.
  for (Prepared &p : prepared) {
    sbx_spawn_discard(&p.child);
    sbx_cgroup_destroy(&p.cg, &ignored);
  }
  for (sbx_cgroup_t &cg : retire) sbx_cgroup_destroy(&cg, &ignored);
  if (helper_started_) sbx_netns_helper_stop(&netns_helper_);
  helper_started_ = false;
}

}  // namespace sbx
