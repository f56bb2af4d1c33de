// The waiter: one dedicated thread per Runner that watches every run in flight with epoll
// (pidfds, stdio pipes, report pipe, per-run wall timerfd, one shared cpu-poll timerfd) and hands
// finished outcomes to a callback. No Node headers: the binding turns outcomes into Promises.
// It never uses libuv's threadpool, so waiting on runs cannot starve fs or crypto.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

extern "C" {
#include "sbx-spawn.h"
#include "sbx.h"
}

namespace sbx {

struct CollectedFile {
  std::string path;
  uint32_t mode;
  std::vector<uint8_t> content;
};

// The raw facts of one finished run, or the error that prevented one.
struct Outcome {
  uint64_t id = 0;
  bool failed = false;
  sbx_error_t error{};
  bool has_exit = false;
  int exit_code = -1;               // valid when has_exit and !signaled
  int signal = 0;                   // terminating signal, 0 when none
  const char *killed_by = nullptr;  // "cpu" | "wall" | "output" | nullptr
  bool oom_killed = false;
  bool seccomp_violation = false;
  uint64_t cpu_time_ns = 0, wall_time_ns = 0, memory_peak_bytes = 0;
  // Where the time of the call went (CLOCK_MONOTONIC; the three add up to the whole call):
  // setup = request → the program's exec; program = exec → its exit report (or the end of the
  // run's last process when none came); teardown = that → the outcome ready (namespace
  // teardown, reap, output drain, cgroup figures). The cgroup's rmdir comes later, off the path.
  uint64_t setup_ns = 0, program_ns = 0, teardown_ns = 0;
  std::vector<uint8_t> out, err;
  bool out_truncated = false, err_truncated = false;
  std::vector<CollectedFile> collected;
  bool collect_truncated = false;
  bool collect_cut = false;  // a collection was asked for and did not finish (T74)
};

// What the waiter needs to watch one run. Ownership of every fd and of the cgroup moves in.
struct RunStart {
  uint64_t id = 0;
  uint64_t requested_ns = 0;  // CLOCK_MONOTONIC when run() was called (see Outcome::setup_ns)
  sbx_child_t child{};
  sbx_cgroup_t cgroup{};
  std::vector<uint8_t> stdin_bytes;
  uint64_t output_bytes = 0;
  uint64_t cpu_time_ns = 0;
  uint64_t wall_time_ms = 0;
  uint64_t report_max_bytes = 0;
  uint64_t collect_budget_ms = 0;  // 0: no collection asked for
  // A live run: stdout/stderr chunks go to the Chunk callback as they are read, and stdin stays
  // open after stdin_bytes until Control(kEof) (or the run's end), fed by Control(kWrite).
  bool live = false;
};

// What the JS thread asks of a live run (Waiter::Control).
enum ControlOp { kControlWrite = 1, kControlEof, kControlSignal };

struct ControlCommand {
  uint64_t id = 0;
  ControlOp op = kControlWrite;
  int signal = 0;
  std::vector<uint8_t> data;
};

struct Run;

// CLOCK_MONOTONIC now, in nanoseconds.
uint64_t NowNs();

class Waiter {
 public:
  using Done = std::function<void(std::unique_ptr<Outcome>)>;
  // Takes a finished run's cgroup (every process gone, statistics read) for removal.
  using Retire = std::function<void(sbx_cgroup_t &)>;
  // A live run's output as read: stream 1 stdout, 2 stderr. Only bytes within the output limit
  // are handed on, so what is in flight to JS is bounded by the limit. Called on the waiter thread.
  using Chunk = std::function<void(uint64_t id, int stream, std::vector<uint8_t> data)>;
  Waiter(Done done, Retire retire, Chunk chunk);
  ~Waiter();
  // Both return 0 or a negative errno; thread-safe.
  int Start(sbx_error_t *err);
  void Add(std::unique_ptr<RunStart> run);
  void Kill(uint64_t id);
  // Queues stdin bytes, eof or a signal for a live run; ignored once the run finished.
  void Control(ControlCommand command);
  // Kills what is left, waits for the thread; idempotent.
  void Stop();

 private:
  void Loop();
  void DrainCommands();
  void Handle(Run *run, int kind, uint32_t events);
  void PollCpu();
  void KillRun(Run *run, const char *why);
  void Finish(Run *run);
  void ReadStream(Run *run, int kind);
  void ReadReport(Run *run);
  void ParseReport(Run *run);
  void WriteStdin(Run *run);
  void ApplyControl(Run *run, ControlCommand &command);
  void WantStdin(Run *run);
  void Watch(Run *run, int fd, int kind, uint32_t events);
  void Unwatch(int fd);

  Done done_;
  Retire retire_;
  Chunk chunk_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  int cpu_timer_fd_ = -1;
  std::thread thread_;
  // Guarded by mu_: filled by the JS thread, drained by the waiter thread.
  std::mutex mu_;
  std::vector<std::unique_ptr<RunStart>> pending_;
  std::vector<uint64_t> kills_;
  std::vector<ControlCommand> controls_;
  bool stopping_ = false;
  // Touched by the waiter thread only.
  std::unordered_map<uint64_t, std::unique_ptr<Run>> runs_;
  // Finished runs whose epoll tags may still appear in the current batch; freed after it.
  std::vector<std::unique_ptr<Run>> dead_;
};

}  // namespace sbx
