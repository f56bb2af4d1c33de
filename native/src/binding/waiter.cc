// The waiter thread (see waiter.h). Run lifecycle inside: spawned → PID1 → STARTED → (program
// exits | a limit kills it) → outer helper exits (pidfd readable) → pipes drained → cgroup read
// and handed to the pool for removal → Outcome handed to the JS thread.
#include "waiter.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sbx {

namespace {

enum Kind { kPidfd = 1, kStdin, kStdout, kStderr, kReport, kWall, kWake, kCpu };
constexpr uint64_t kCpuPollNs = 5'000'000;    // cgroup cpu time is sampled every 5 ms
constexpr uint64_t kSetupTimeoutMs = 30'000;  // from spawn to the program's execve
constexpr size_t kReadChunk = 64 * 1024;

void Arm(int timer_fd, uint64_t ns, bool periodic) {
  itimerspec its{};
  its.it_value.tv_sec = time_t(ns / 1'000'000'000ull);
  its.it_value.tv_nsec = long(ns % 1'000'000'000ull);
  if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0) its.it_value.tv_nsec = 1;
  if (periodic) its.it_interval = its.it_value;
  timerfd_settime(timer_fd, 0, &its, nullptr);
}

void CloseFd(int &fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

}  // namespace

struct Tag {
  Run *run;
  int kind;
};

struct Run {
  std::unique_ptr<RunStart> start;
  std::unique_ptr<Outcome> out = std::make_unique<Outcome>();
  Tag tags[kCpu + 1];
  int wall_fd = -1;
  int pid1_fd = -1;  // owned; -1 until the PID1 report arrives
  // stdin still to write, in order: the spec's bytes, then each live write. Bounded by the
  // worker, which caps what one live run may be sent in all.
  std::deque<std::vector<uint8_t>> stdin_queue;
  size_t stdin_off = 0;    // into stdin_queue.front()
  bool stdin_eof = false;  // nothing more will be queued: close the pipe once the queue is written
  bool stdin_watched = false;
  int pending_signal = 0;  // asked for before STARTED; sent then (pid 1 forwards from STARTED on)
  std::vector<uint8_t> report;
  size_t report_total = 0;
  bool started = false, killed = false, exited = false, finished = false, collect_done = false;
  int exit_status = 0;
  uint64_t start_ns = 0;
  uint64_t exit_ns = 0;  // when the exit report arrived, 0 before
  uint64_t cpu_base_ns = 0;
};

uint64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1'000'000'000ull + uint64_t(ts.tv_nsec);
}

Waiter::Waiter(Done done, Retire retire, Chunk chunk)
    : done_(std::move(done)), retire_(std::move(retire)), chunk_(std::move(chunk)) {}

Waiter::~Waiter() { Stop(); }

int Waiter::Start(sbx_error_t *err) {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  cpu_timer_fd_ = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
  if (epoll_fd_ < 0 || wake_fd_ < 0 || cpu_timer_fd_ < 0)
    return sbx_error_set(err, SBX_PHASE_SPAWN, errno, "waiter: epoll/eventfd/timerfd");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kWake;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
  ev.data.u64 = kCpu;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, cpu_timer_fd_, &ev);
  Arm(cpu_timer_fd_, kCpuPollNs, true);
  thread_ = std::thread([this] { Loop(); });
  return 0;
}

void Waiter::Add(std::unique_ptr<RunStart> run) {
  std::lock_guard<std::mutex> lock(mu_);
  pending_.push_back(std::move(run));
  uint64_t one = 1;
  (void)!write(wake_fd_, &one, sizeof(one));
}

void Waiter::Kill(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  kills_.push_back(id);
  uint64_t one = 1;
  (void)!write(wake_fd_, &one, sizeof(one));
}

void Waiter::Control(ControlCommand command) {
  std::lock_guard<std::mutex> lock(mu_);
  controls_.push_back(std::move(command));
  uint64_t one = 1;
  (void)!write(wake_fd_, &one, sizeof(one));
}

void Waiter::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    uint64_t one = 1;
    if (wake_fd_ >= 0) (void)!write(wake_fd_, &one, sizeof(one));
  }
  if (thread_.joinable()) thread_.join();
  CloseFd(epoll_fd_);
  CloseFd(wake_fd_);
  CloseFd(cpu_timer_fd_);
}

void Waiter::Watch(Run *run, int fd, int kind, uint32_t events) {
  run->tags[kind] = Tag{run, kind};
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = &run->tags[kind];
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
}

void Waiter::Unwatch(int fd) {
  if (fd >= 0) epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
}

void Waiter::Loop() {
  // SIGPIPE from a closed stdin must not reach this thread (Node ignores it; we make sure).
  sigset_t pipe_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, nullptr);
  epoll_event events[64];
  for (;;) {
    dead_.clear();
    DrainCommands();
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_ && runs_.empty() && pending_.empty()) return;
    }
    int n = epoll_wait(epoll_fd_, events, 64, -1);
    for (int i = 0; i < n; i++) {
      uint64_t raw = events[i].data.u64;
      if (raw == kWake) {
        uint64_t v;
        (void)!read(wake_fd_, &v, sizeof(v));
      } else if (raw == kCpu) {
        uint64_t v;
        (void)!read(cpu_timer_fd_, &v, sizeof(v));
        PollCpu();
      } else {
        Tag *tag = static_cast<Tag *>(events[i].data.ptr);
        Handle(tag->run, tag->kind, events[i].events);
      }
    }
  }
}

void Waiter::DrainCommands() {
  std::vector<std::unique_ptr<RunStart>> pending;
  std::vector<uint64_t> kills;
  std::vector<ControlCommand> controls;
  bool stopping;
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending.swap(pending_);
    kills.swap(kills_);
    controls.swap(controls_);
    stopping = stopping_;
  }
  for (auto &start : pending) {
    auto run = std::make_unique<Run>();
    Run *r = run.get();
    r->start = std::move(start);
    r->out->id = r->start->id;
    r->wall_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    Arm(r->wall_fd, kSetupTimeoutMs * 1'000'000ull, false);
    sbx_child_t &c = r->start->child;
    Watch(r, c.pidfd, kPidfd, EPOLLIN);
    Watch(r, c.stdout_fd, kStdout, EPOLLIN);
    Watch(r, c.stderr_fd, kStderr, EPOLLIN);
    Watch(r, c.report_fd, kReport, EPOLLIN);
    Watch(r, r->wall_fd, kWall, EPOLLIN);
    if (!r->start->stdin_bytes.empty()) r->stdin_queue.push_back(std::move(r->start->stdin_bytes));
    r->stdin_eof = !r->start->live;
    WantStdin(r);
    runs_[r->out->id] = std::move(run);
  }
  // After the new runs: a control may name a run added in this very batch.
  for (ControlCommand &command : controls) {
    auto it = runs_.find(command.id);
    if (it != runs_.end()) ApplyControl(it->second.get(), command);
  }
  for (uint64_t id : kills) {
    auto it = runs_.find(id);
    if (it != runs_.end()) KillRun(it->second.get(), nullptr);
  }
  if (stopping)
    for (auto &kv : runs_) KillRun(kv.second.get(), nullptr);
}

void Waiter::KillRun(Run *run, const char *why) {
  if (why && !run->out->killed_by && !run->exited) run->out->killed_by = why;
  if (run->killed) return;
  run->killed = true;
  // pid 1 of the run's pid namespace: when it dies the kernel kills every process left in it,
  // stopped, daemonized or not (T12, T54). Before PID1 is known, the outer helper takes pid 1
  // down with it through PR_SET_PDEATHSIG.
  int fd = run->pid1_fd >= 0 ? run->pid1_fd : run->start->child.pidfd;
  syscall(SYS_pidfd_send_signal, fd, SIGKILL, nullptr, 0);
  sbx_cgroup_kill(&run->start->cgroup);
}

void Waiter::PollCpu() {
  for (auto &kv : runs_) {
    Run *run = kv.second.get();
    // After the exit report only pid 1 runs (its collection): that has a budget of its own (T74).
    if (!run->started || run->killed || run->exited) continue;
    uint64_t cpu_ns = 0;
    sbx_error_t err;
    if (sbx_cgroup_cpu_ns(&run->start->cgroup, &cpu_ns, &err) == 0 &&
        cpu_ns > run->cpu_base_ns + run->start->cpu_time_ns)
      KillRun(run, "cpu");
  }
}

void Waiter::Handle(Run *run, int kind, uint32_t events) {
  if (run->finished) return;
  switch (kind) {
    case kStdout:
    case kStderr:
      ReadStream(run, kind);
      break;
    case kReport:
      ReadReport(run);
      break;
    case kStdin:
      WriteStdin(run);
      break;
    case kWall: {
      uint64_t v;
      (void)!read(run->wall_fd, &v, sizeof(v));
      if (!run->started && !run->out->failed) {
        run->out->failed = true;
        sbx_error_set(&run->out->error, SBX_PHASE_SETUP, ETIMEDOUT, "sandbox setup did not finish in time");
      }
      // After the exit report this is the collection budget: the program's verdict stands, and
      // Finish reports the collection as cut (T74).
      KillRun(run, run->exited ? nullptr : "wall");
      break;
    }
    case kPidfd:
      Finish(run);
      break;
  }
  (void)events;
}

void Waiter::ReadStream(Run *run, int kind) {
  int &fd = kind == kStdout ? run->start->child.stdout_fd : run->start->child.stderr_fd;
  std::vector<uint8_t> &buf = kind == kStdout ? run->out->out : run->out->err;
  bool &truncated = kind == kStdout ? run->out->out_truncated : run->out->err_truncated;
  uint8_t chunk[kReadChunk];
  // A live run's bytes of this wake-up go out as one chunk: coalesced, and at most the limit in all.
  size_t live_from = buf.size();
  auto emit = [&] {
    if (run->start->live && buf.size() > live_from)
      chunk_(run->start->id, kind == kStdout ? 1 : 2, std::vector<uint8_t>(buf.begin() + long(live_from), buf.end()));
  };
  for (;;) {
    ssize_t n = read(fd, chunk, sizeof(chunk));
    if (n > 0) {
      size_t room = run->start->output_bytes - buf.size();
      size_t keep = size_t(n) < room ? size_t(n) : room;
      buf.insert(buf.end(), chunk, chunk + keep);
      // One byte more than the limit ends the run; the rest is read and dropped, so the
      // worker's memory stays bounded by the limit (T13, T14).
      if (keep < size_t(n)) {
        truncated = true;
        KillRun(run, "output");
      }
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n == 0 || (n < 0 && errno != EAGAIN)) {
      Unwatch(fd);
      CloseFd(fd);
    }
    emit();
    return;
  }
}

// Watches stdin for EPOLLOUT while bytes wait, and closes it once eof was asked and all is written.
void Waiter::WantStdin(Run *run) {
  int &fd = run->start->child.stdin_fd;
  if (fd < 0 || run->stdin_watched) return;
  if (!run->stdin_queue.empty()) {
    Watch(run, fd, kStdin, EPOLLOUT);
    run->stdin_watched = true;
  } else if (run->stdin_eof) {
    CloseFd(fd);
  }
}

// Non-blocking writes from the queue's front; EAGAIN waits for the next EPOLLOUT, so a program
// that does not read cannot block this thread.
void Waiter::WriteStdin(Run *run) {
  int &fd = run->start->child.stdin_fd;
  while (!run->stdin_queue.empty()) {
    std::vector<uint8_t> &data = run->stdin_queue.front();
    ssize_t n = write(fd, data.data() + run->stdin_off, data.size() - run->stdin_off);
    if (n > 0) {
      run->stdin_off += size_t(n);
      if (run->stdin_off == data.size()) {
        run->stdin_queue.pop_front();
        run->stdin_off = 0;
      }
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    // EPIPE: the program closed stdin early; that is its business (T64). Later writes are dropped.
    run->stdin_queue.clear();
    run->stdin_eof = true;
    break;
  }
  Unwatch(fd);
  run->stdin_watched = false;
  if (run->stdin_eof) CloseFd(fd);
}

void Waiter::ApplyControl(Run *run, ControlCommand &command) {
  if (run->finished) return;
  switch (command.op) {
    case kControlWrite:
      if (run->stdin_eof || run->start->child.stdin_fd < 0 || command.data.empty()) return;
      run->stdin_queue.push_back(std::move(command.data));
      WantStdin(run);
      break;
    case kControlEof:
      run->stdin_eof = true;
      WantStdin(run);
      break;
    case kControlSignal:
      // SIGKILL ends the whole run, as a limit does; the others go to pid 1, which forwards them
      // to the program's process group (sbx-init.c) once the program started.
      if (command.signal == SIGKILL)
        KillRun(run, nullptr);
      else if (run->started && !run->exited && run->pid1_fd >= 0)
        syscall(SYS_pidfd_send_signal, run->pid1_fd, command.signal, nullptr, 0);
      else if (!run->started)
        run->pending_signal = command.signal;
      break;
  }
}

void Waiter::ReadReport(Run *run) {
  int &fd = run->start->child.report_fd;
  uint8_t chunk[kReadChunk];
  for (;;) {
    ssize_t n = read(fd, chunk, sizeof(chunk));
    if (n > 0) {
      run->report_total += size_t(n);
      if (run->report_total > run->start->report_max_bytes) {
        KillRun(run, nullptr);
        Unwatch(fd);
        CloseFd(fd);
        return;
      }
      run->report.insert(run->report.end(), chunk, chunk + n);
      ParseReport(run);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n == 0 || (n < 0 && errno != EAGAIN)) {
      Unwatch(fd);
      CloseFd(fd);
    }
    return;
  }
}

void Waiter::ParseReport(Run *run) {
  size_t off = 0;
  std::vector<uint8_t> &r = run->report;
  while (r.size() - off >= sizeof(sbx_msg_header_t)) {
    sbx_msg_header_t h;
    memcpy(&h, r.data() + off, sizeof(h));
    if (r.size() - off - sizeof(h) < h.len) break;
    const uint8_t *p = r.data() + off + sizeof(h);
    Outcome &o = *run->out;
    if (h.type == SBX_MSG_ERROR && h.len >= 8 && !o.failed) {
      int32_t head[2];
      memcpy(head, p, 8);
      o.failed = true;
      sbx_error_set(&o.error, head[0], head[1], "%.*s", int(h.len - 8), reinterpret_cast<const char *>(p + 8));
    } else if (h.type == SBX_MSG_PID1 && h.len == 4 && run->pid1_fd < 0) {
      int32_t pid;
      memcpy(&pid, p, 4);
      run->pid1_fd = int(syscall(SYS_pidfd_open, pid, 0));
      if (run->killed && run->pid1_fd >= 0) syscall(SYS_pidfd_send_signal, run->pid1_fd, SIGKILL, nullptr, 0);
    } else if (h.type == SBX_MSG_STARTED && !run->started) {
      run->started = true;
      run->start_ns = NowNs();
      // The program's cpu time starts here: pid 1's setup before this is ours, not the program's.
      sbx_error_t ignored;
      sbx_cgroup_cpu_ns(&run->start->cgroup, &run->cpu_base_ns, &ignored);
      Arm(run->wall_fd, run->start->wall_time_ms * 1'000'000ull, false);
      if (run->pending_signal != 0 && run->pid1_fd >= 0)
        syscall(SYS_pidfd_send_signal, run->pid1_fd, run->pending_signal, nullptr, 0);
    } else if (h.type == SBX_MSG_EXIT && h.len == 4) {
      memcpy(&run->exit_status, p, 4);
      run->exited = true;
      run->exit_ns = NowNs();
      // T74: the program's wall limit no longer applies; pid 1's collection gets its own budget.
      if (run->start->collect_budget_ms > 0) Arm(run->wall_fd, run->start->collect_budget_ms * 1'000'000ull, false);
    } else if (h.type == SBX_MSG_FILE && h.len >= 8) {
      uint32_t head[2];
      memcpy(head, p, 8);
      if (head[1] <= h.len - 8) {
        CollectedFile f;
        f.mode = head[0];
        f.path.assign(reinterpret_cast<const char *>(p + 8), head[1]);
        f.content.assign(p + 8 + head[1], p + h.len);
        o.collected.push_back(std::move(f));
      }
    } else if (h.type == SBX_MSG_COLLECT_TRUNCATED) {
      o.collect_truncated = true;
    } else if (h.type == SBX_MSG_COLLECT_DONE) {
      run->collect_done = true;
    }
    off += sizeof(h) + h.len;
  }
  r.erase(r.begin(), r.begin() + long(off));
}

void Waiter::Finish(Run *run) {
  uint64_t end_ns = NowNs();
  sbx_child_t &c = run->start->child;
  siginfo_t info{};
  waitid(P_PIDFD, id_t(c.pidfd), &info, WEXITED);
  // Every process of the run is gone (pid 1 died after its namespace was emptied), so the
  // pipes hold all that was written and end in EOF.
  if (c.stdout_fd >= 0) ReadStream(run, kStdout);
  if (c.stderr_fd >= 0) ReadStream(run, kStderr);
  if (c.report_fd >= 0) ReadReport(run);
  Outcome &o = *run->out;
  sbx_cgroup_stats_t st{};
  sbx_error_t err;
  if (sbx_cgroup_stats(&run->start->cgroup, &st, &err) < 0 && !o.failed) {
    o.failed = true;
    o.error = err;
  }
  o.cpu_time_ns = st.cpu_time_ns > run->cpu_base_ns ? st.cpu_time_ns - run->cpu_base_ns : 0;
  o.memory_peak_bytes = st.memory_peak_bytes;
  o.oom_killed = st.oom_kills > 0;
  o.wall_time_ns = run->started ? end_ns - run->start_ns : 0;
  uint64_t program_from = run->started ? run->start_ns : end_ns;
  uint64_t program_to = run->exit_ns != 0 ? run->exit_ns : end_ns;
  o.setup_ns = program_from - run->start->requested_ns;
  o.program_ns = program_to > program_from ? program_to - program_from : 0;
  o.teardown_ns = NowNs() - (program_to > program_from ? program_to : program_from);
  // A collection without its end frame (budget spent, pid 1 killed) is never a complete one.
  o.collect_cut = run->start->collect_budget_ms > 0 && run->exited && !run->collect_done;
  if (run->exited) {
    o.has_exit = true;
    if (WIFSIGNALED(run->exit_status))
      o.signal = WTERMSIG(run->exit_status);
    else
      o.exit_code = WEXITSTATUS(run->exit_status);
  } else if (run->killed || o.oom_killed) {
    o.has_exit = true;
    o.signal = SIGKILL;
  } else if (!o.failed) {
    o.failed = true;
    sbx_error_set(&o.error, SBX_PHASE_SPAWN, ECHILD, "sbx-init ended without a report (status %d)", info.si_status);
  }
  // With SCMP_ACT_KILL_PROCESS the kernel ends the program with SIGSYS.
  o.seccomp_violation = o.signal == SIGSYS;
  for (int *fd : {&c.stdin_fd, &c.stdout_fd, &c.stderr_fd, &c.report_fd, &c.pidfd, &run->wall_fd, &run->pid1_fd}) {
    Unwatch(*fd);
    CloseFd(*fd);
  }
  // rmdir happens on the pool thread, off this one: the outcome does not wait for it.
  retire_(run->start->cgroup);
  run->finished = true;
  std::unique_ptr<Outcome> outcome = std::move(run->out);
  auto it = runs_.find(outcome->id);
  dead_.push_back(std::move(it->second));
  runs_.erase(it);
  done_(std::move(outcome));
}

}  // namespace sbx
