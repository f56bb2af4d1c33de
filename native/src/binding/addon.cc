// node-addon-api glue only: argument conversion, the Runner object (one waiter thread each, a
// ThreadSafeFunction to resolve Promises on the JS thread), sbx_error_t → JS Error with its phase.
// The typed surface is native/native.d.ts; keep the two in step.
#include <napi.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "convert.h"
#include "pool.h"
#include "waiter.h"

extern "C" {
#include "sbx-compile.h"
}

namespace sbx {

// The error carries the phase's name and errno; which SBX_ERR_* code a phase is reported as is the
// service's table (worker/contract/failure.ts), not the addon's.
Napi::Error MakeError(Napi::Env env, const sbx_error_t &e) {
  std::string msg = std::string(e.msg) + (e.errno_value ? std::string(": ") + strerror(e.errno_value) : "");
  Napi::Error err = Napi::Error::New(env, msg);
  err.Set("phase", sbx_phase_name(e.phase));
  err.Set("errno", Napi::Number::New(env, e.errno_value));
  return err;
}

namespace {

Napi::Value CompileProfile(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  ProfileHolder holder;
  sbx_error_t err{};
  if (!ReadProfile(info[0], holder, err)) throw MakeError(env, err);
  sbx_compile_result_t res;
  if (sbx_seccomp_compile(&holder.profile, &res, &err) < 0) throw MakeError(env, err);
  Napi::Object out = Napi::Object::New(env);
  out.Set("bpf", Napi::Buffer<uint8_t>::Copy(env, res.bpf, res.bpf_len));
  free(res.bpf);
  Napi::Array unknown = Napi::Array::New(env, res.n_unknown);
  for (uint32_t i = 0; i < res.n_unknown; i++) unknown.Set(i, Napi::String::New(env, res.unknown[i]));
  out.Set("unknownSyscalls", unknown);
  return out;
}

Napi::Value DetectCgroups(const Napi::CallbackInfo &info) {
  sbx_cgroup_config_t cfg;
  sbx_error_t err{};
  std::string root = info[0].As<Napi::String>(), parent = info[1].As<Napi::String>();
  if (sbx_cgroup_detect(root.c_str(), parent.c_str(), &cfg, &err) < 0) throw MakeError(info.Env(), err);
  return CgroupConfigToJs(info.Env(), cfg);
}

// The phase table: name → number, for the drift test against the contract's table.
Napi::Value PhaseTable(Napi::Env env) {
  Napi::Object phases = Napi::Object::New(env);
  for (int p = 0; p < SBX_PHASE_COUNT; p++) phases.Set(sbx_phase_name(p), Napi::Number::New(env, p));
  phases.Freeze();
  return phases;
}

}  // namespace

class Runner : public Napi::ObjectWrap<Runner> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Runner",
                       {InstanceMethod("run", &Runner::Run), InstanceMethod("kill", &Runner::Kill),
                        InstanceMethod("write", &Runner::Write), InstanceMethod("closeStdin", &Runner::CloseStdin),
                        InstanceMethod("signal", &Runner::Signal), InstanceMethod("close", &Runner::Close)});
  }

  explicit Runner(const Napi::CallbackInfo &info) : Napi::ObjectWrap<Runner>(info) {
    Napi::Env env = info.Env();
    sbx_error_t err{};
    Napi::Object cfg = info[0].As<Napi::Object>();
    // The helper binary is pinned by a fd for the Runner's life and executed through
    // /proc/<our pid>/fd/N: rebuilding or replacing the file on disk (a new inode) cannot break a
    // running worker, and every run execs the very binary the worker started with. /proc/self
    // would not do: posix_spawn closes fds >= 7 in the child before its exec.
    std::string path = cfg.Get("helperPath").As<Napi::String>();
    helper_fd_ = open(path.c_str(), O_PATH | O_CLOEXEC);
    if (helper_fd_ < 0) {
      sbx_error_set(&err, SBX_PHASE_SPAWN, errno, "open %.120s", path.c_str());
      throw MakeError(env, err);
    }
    helper_ = "/proc/" + std::to_string(getpid()) + "/fd/" + std::to_string(helper_fd_);
    userns_fd_ = cfg.Has("usernsFd") && cfg.Get("usernsFd").IsNumber()
                     ? cfg.Get("usernsFd").As<Napi::Number>().Int32Value()
                     : -1;
    if (!ReadCgroupConfig(cfg.Get("cgroup"), cgroup_, err)) throw MakeError(env, err);
    uint32_t pool_size = cfg.Has("poolSize") && cfg.Get("poolSize").IsNumber()
                             ? cfg.Get("poolSize").As<Napi::Number>().Uint32Value()
                             : 0;
    pool_ = std::make_unique<Pool>(cgroup_, helper_, userns_fd_, pool_size);
    if (pool_->Start(&err) < 0) throw MakeError(env, err);
    tsfn_ = Napi::ThreadSafeFunction::New(env, Napi::Function::New(env, [](const Napi::CallbackInfo &) {}),
                                          "sbx-waiter", 0, 1);
    tsfn_.Unref(env);
    waiter_ = std::make_unique<Waiter>(
        [this](std::unique_ptr<Outcome> o) {
          Outcome *raw = o.release();
          if (tsfn_.NonBlockingCall(raw, [this](Napi::Env env, Napi::Function, Outcome *out) { Settle(env, out); }) !=
              napi_ok)
            delete raw;
        },
        [this](sbx_cgroup_t &cg) { pool_->Retire(cg); },
        [this](uint64_t id, int stream, std::vector<uint8_t> data) {
          // The same queue as outcomes: a run's chunks reach JS before its outcome does.
          auto *raw = new LiveChunk{id, stream, std::move(data)};
          if (tsfn_.NonBlockingCall(raw, [this](Napi::Env env, Napi::Function, LiveChunk *c) { Deliver(env, c); }) !=
              napi_ok)
            delete raw;
        });
    if (waiter_->Start(&err) < 0) throw MakeError(env, err);
  }

  ~Runner() override {
    // Waiter first: its last runs hand their cgroups to the pool, which removes them on Stop.
    if (waiter_) waiter_->Stop();
    if (pool_) pool_->Stop();
    if (helper_fd_ >= 0) close(helper_fd_);
  }

 private:
  Napi::Value Run(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (closed_) throw Napi::Error::New(env, "runner is closed");
    uint64_t requested_ns = NowNs();
    sbx_error_t err{};
    SpecHolder spec;
    if (!ReadSpec(info[0], spec, err)) throw MakeError(env, err);
    auto start = std::make_unique<RunStart>();
    start->requested_ns = requested_ns;
    start->id = ++next_id_;
    sbx_limits_t cg_limits = spec.spec.limits;
    cg_limits.pids += 1;  // the run's pid 1 lives in the cgroup too
    if (userns_fd_ >= 0) spec.spec.flags |= SBX_FLAG_USERNS_FD;
    if (StartRun(spec.spec, cg_limits, start.get(), &err) < 0) throw MakeError(env, err);
    start->stdin_bytes = std::move(spec.stdin_bytes);
    start->output_bytes = spec.spec.limits.output_bytes;
    start->cpu_time_ns = spec.spec.limits.cpu_time_ms * 1'000'000ull;
    start->wall_time_ms = spec.spec.limits.wall_time_ms;
    start->report_max_bytes = spec.spec.collect_max_bytes + uint64_t(spec.spec.collect_max_files) * 4200 + 65536;
    start->collect_budget_ms = (spec.spec.flags & SBX_FLAG_COLLECT) ? spec.collect_budget_ms : 0;
    uint64_t id = start->id;
    if (info.Length() > 1 && info[1].IsFunction()) {
      start->live = true;
      live_.emplace(id, Napi::Persistent(info[1].As<Napi::Function>()));
    }
    auto deferred = Napi::Promise::Deferred::New(env);
    pending_.emplace(id, deferred);
    if (pending_.size() == 1) tsfn_.Ref(env);
    waiter_->Add(std::move(start));
    Napi::Object handle = Napi::Object::New(env);
    handle.Set("id", double(id));
    handle.Set("done", deferred.Promise());
    return handle;
  }

  // A prepared run from the pool, or one made here when none is ready (a burst, or the pool
  // cannot prepare: then the error of this attempt is the one reported). A prepared helper that
  // died while it waited (pidfd readable, EPIPE on the spec) is replaced by one made here.
  int StartRun(sbx_spec_t &spec, const sbx_limits_t &cg_limits, RunStart *start, sbx_error_t *err) {
    bool pooled_netns = false;
    if (pool_->TakePrepared(cg_limits, &start->child, &start->cgroup, &pooled_netns)) {
      if (SendSpec(spec, pooled_netns, &start->child, err) == 0) return 0;
      // Killed and reaped by SendSpec; its pid 1 follows it (PR_SET_PDEATHSIG).
      pool_->Retire(start->cgroup);
    }
    if (pool_->CreateCgroup(cg_limits, &start->cgroup, err) < 0) return -1;
    int r = sbx_spawn_prepare(helper_.c_str(), userns_fd_, -1, &start->cgroup, &start->child, err);
    if (r == 0) r = SendSpec(spec, false, &start->child, err);
    if (r < 0) pool_->Retire(start->cgroup);
    return r;
  }

  static int SendSpec(sbx_spec_t &spec, bool pooled_netns, sbx_child_t *child, sbx_error_t *err) {
    spec.flags = pooled_netns ? (spec.flags | SBX_FLAG_NETNS_FD) : (spec.flags & ~SBX_FLAG_NETNS_FD);
    uint8_t *buf = nullptr;
    size_t len = 0;
    int r = sbx_spec_encode(&spec, &buf, &len, err);
    if (r == 0) r = sbx_spawn_start(child, buf, len, err);
    free(buf);
    if (r < 0) sbx_spawn_discard(child);
    return r;
  }

  Napi::Value Kill(const Napi::CallbackInfo &info) {
    waiter_->Kill(uint64_t(info[0].As<Napi::Number>().Int64Value()));
    return info.Env().Undefined();
  }

  // write(id, Buffer), closeStdin(id), signal(id, signo): live runs only; no-ops once finished.
  Napi::Value Write(const Napi::CallbackInfo &info) {
    ControlCommand c;
    c.id = uint64_t(info[0].As<Napi::Number>().Int64Value());
    Napi::Buffer<uint8_t> buf = info[1].As<Napi::Buffer<uint8_t>>();
    c.data.assign(buf.Data(), buf.Data() + buf.Length());
    waiter_->Control(std::move(c));
    return info.Env().Undefined();
  }

  Napi::Value CloseStdin(const Napi::CallbackInfo &info) {
    ControlCommand c;
    c.id = uint64_t(info[0].As<Napi::Number>().Int64Value());
    c.op = kControlEof;
    waiter_->Control(std::move(c));
    return info.Env().Undefined();
  }

  Napi::Value Signal(const Napi::CallbackInfo &info) {
    ControlCommand c;
    c.id = uint64_t(info[0].As<Napi::Number>().Int64Value());
    c.op = kControlSignal;
    c.signal = info[1].As<Napi::Number>().Int32Value();
    // Only these three: anything else (SIGSTOP, a real-time signal) is not the caller's to send.
    if (c.signal != SIGINT && c.signal != SIGTERM && c.signal != SIGKILL)
      throw Napi::RangeError::New(info.Env(), "signal must be SIGINT, SIGTERM or SIGKILL");
    waiter_->Control(std::move(c));
    return info.Env().Undefined();
  }

  Napi::Value Close(const Napi::CallbackInfo &info) {
    if (!closed_) {
      closed_ = true;
      waiter_->Stop();
      pool_->Stop();
      tsfn_.Release();
    }
    return info.Env().Undefined();
  }

  struct LiveChunk {
    uint64_t id;
    int stream;
    std::vector<uint8_t> data;
  };

  void Deliver(Napi::Env env, LiveChunk *raw) {
    std::unique_ptr<LiveChunk> c(raw);
    auto it = live_.find(c->id);
    if (it == live_.end()) return;
    Napi::Buffer<uint8_t> buf = Napi::Buffer<uint8_t>::Copy(env, c->data.data(), c->data.size());
    // The TS wrapper's callback never throws; should one, the chunk is dropped, not the process.
    try {
      it->second.Call({Napi::Number::New(env, c->stream), buf});
    } catch (const Napi::Error &) {
    }
  }

  void Settle(Napi::Env env, Outcome *raw) {
    std::unique_ptr<Outcome> out(raw);
    live_.erase(out->id);
    auto it = pending_.find(out->id);
    if (it == pending_.end()) return;
    Napi::Promise::Deferred deferred = it->second;
    pending_.erase(it);
    if (pending_.empty() && !closed_) tsfn_.Unref(env);
    if (out->failed) {
      deferred.Reject(MakeError(env, out->error).Value());
    } else {
      deferred.Resolve(OutcomeToJs(env, *out));
    }
  }

  std::string helper_;
  int helper_fd_ = -1;  // owned: O_PATH fd of the sbx-init binary, see the constructor
  int userns_fd_ = -1;  // not owned: the TS side keeps the outer user namespace fd open
  sbx_cgroup_config_t cgroup_{};
  std::unique_ptr<Pool> pool_;  // declared before waiter_: the waiter's retire callback uses it
  Napi::ThreadSafeFunction tsfn_;
  std::unique_ptr<Waiter> waiter_;
  // JS thread only.
  std::unordered_map<uint64_t, Napi::Promise::Deferred> pending_;
  std::unordered_map<uint64_t, Napi::FunctionReference> live_;  // chunk callbacks of live runs
  uint64_t next_id_ = 0;
  bool closed_ = false;
};

}  // namespace sbx

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Runner", sbx::Runner::Define(env));
  exports.Set("compileProfile", Napi::Function::New(env, sbx::CompileProfile));
  exports.Set("detectCgroups", Napi::Function::New(env, sbx::DetectCgroups));
  exports.Set("phases", sbx::PhaseTable(env));
  return exports;
}

NODE_API_MODULE(sbx, Init)
