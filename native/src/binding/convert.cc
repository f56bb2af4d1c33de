// JS value ⇄ C struct conversion (see convert.h). Malformed input is a coded error, never a crash.
#include "convert.h"

#include <cerrno>
#include <cmath>

namespace sbx {

namespace {

bool Fail(sbx_error_t &err, int phase, const char *what) {
  sbx_error_set(&err, phase, EINVAL, "invalid argument: %s", what);
  return false;
}

bool GetU64(const Napi::Object &o, const char *key, uint64_t &out, sbx_error_t &err, int phase) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) return Fail(err, phase, key);
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 0) || d > 9007199254740991.0 || std::floor(d) != d) return Fail(err, phase, key);
  out = uint64_t(d);
  return true;
}

bool GetStr(const Napi::Object &o, const char *key, std::string &out, sbx_error_t &err, int phase) {
  Napi::Value v = o.Get(key);
  if (!v.IsString()) return Fail(err, phase, key);
  out = v.As<Napi::String>().Utf8Value();
  return true;
}

bool GetStrList(const Napi::Object &o, const char *key, std::deque<std::string> &store, std::vector<const char *> &out,
                sbx_error_t &err, int phase) {
  Napi::Value v = o.Get(key);
  if (!v.IsArray()) return Fail(err, phase, key);
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) {
    Napi::Value e = a.Get(i);
    if (!e.IsString()) return Fail(err, phase, key);
    store.push_back(e.As<Napi::String>().Utf8Value());
    out.push_back(store.back().c_str());
  }
  return true;
}

bool ParseU64(const std::string &text, uint64_t &out) {
  if (text.empty() || text.size() > 20 || text.find_first_not_of("0123456789") != std::string::npos) return false;
  errno = 0;
  out = strtoull(text.c_str(), nullptr, 10);
  return errno == 0;
}

bool GetBuffer(const Napi::Value &v, std::vector<uint8_t> &out) {
  if (!v.IsBuffer()) return false;
  Napi::Buffer<uint8_t> b = v.As<Napi::Buffer<uint8_t>>();
  out.assign(b.Data(), b.Data() + b.Length());
  return true;
}

bool ReadFiles(const Napi::Object &o, SpecHolder &h, sbx_error_t &err) {
  const int ph = SBX_PHASE_SPAWN;
  Napi::Value v = o.Get("files");
  if (!v.IsArray()) return Fail(err, ph, "files");
  Napi::Array a = v.As<Napi::Array>();
  h.blobs.reserve(a.Length());
  for (uint32_t i = 0; i < a.Length(); i++) {
    if (!a.Get(i).IsObject()) return Fail(err, ph, "files[]");
    Napi::Object f = a.Get(i).As<Napi::Object>();
    std::string path;
    uint64_t mode;
    if (!GetStr(f, "path", path, err, ph) || !GetU64(f, "mode", mode, err, ph)) return false;
    h.blobs.emplace_back();
    if (!GetBuffer(f.Get("content"), h.blobs.back())) return Fail(err, ph, "files[].content");
    h.strings.push_back(path);
    sbx_file_t file{};
    file.path = h.strings.back().c_str();
    file.data = h.blobs.back().data();
    file.len = uint32_t(h.blobs.back().size());
    file.mode = uint32_t(mode);
    file.read_only = f.Get("readOnly").ToBoolean() ? 1 : 0;
    h.files.push_back(file);
  }
  return true;
}

}  // namespace

bool ReadLimits(const Napi::Value &v, sbx_limits_t &l, sbx_error_t &err) {
  const int ph = SBX_PHASE_SPAWN;
  if (!v.IsObject()) return Fail(err, ph, "limits");
  Napi::Object o = v.As<Napi::Object>();
  // In list order, so a malformed spec names the first bad limit.
#define READ_LIMIT(field, js_name) \
  if (!GetU64(o, js_name, l.field, err, ph)) return false;
  SBX_LIMIT_FIELDS(READ_LIMIT)
#undef READ_LIMIT
  return true;
}

bool ReadSpec(const Napi::Value &v, SpecHolder &h, sbx_error_t &err) {
  const int ph = SBX_PHASE_SPAWN;
  if (!v.IsObject()) return Fail(err, ph, "spec");
  Napi::Object o = v.As<Napi::Object>();
  sbx_spec_t &s = h.spec;
  std::string cwd, hostname;
  uint64_t ids[4];
  if (!GetStrList(o, "layers", h.strings, h.layers, err, ph) || !GetStrList(o, "argv", h.strings, h.argv, err, ph) ||
      !GetStrList(o, "env", h.strings, h.env, err, ph) || !GetStr(o, "cwd", cwd, err, ph) ||
      !GetStr(o, "hostname", hostname, err, ph) || !ReadLimits(o.Get("limits"), s.limits, err) ||
      !ReadFiles(o, h, err) || !GetU64(o, "hostRootUid", ids[0], err, ph) ||
      !GetU64(o, "hostUserUid", ids[1], err, ph) || !GetU64(o, "hostRootGid", ids[2], err, ph) ||
      !GetU64(o, "hostUserGid", ids[3], err, ph))
    return false;
  if (!GetBuffer(o.Get("bpf"), h.bpf)) return Fail(err, ph, "bpf");
  if (!GetBuffer(o.Get("stdin"), h.stdin_bytes)) return Fail(err, ph, "stdin");
  if (h.argv.empty() || h.layers.empty()) return Fail(err, ph, "argv and layers must not be empty");
  h.strings.push_back(cwd);
  s.cwd = h.strings.back().c_str();
  h.strings.push_back(hostname);
  s.hostname = h.strings.back().c_str();
  s.layers = h.layers.data();
  s.n_layers = uint32_t(h.layers.size());
  s.argv = h.argv.data();
  s.argc = uint32_t(h.argv.size());
  s.env = h.env.data();
  s.envc = uint32_t(h.env.size());
  s.files = h.files.data();
  s.n_files = uint32_t(h.files.size());
  s.bpf = h.bpf.data();
  s.bpf_len = uint32_t(h.bpf.size());
  s.host_root_uid = uint32_t(ids[0]);
  s.host_user_uid = uint32_t(ids[1]);
  s.host_root_gid = uint32_t(ids[2]);
  s.host_user_gid = uint32_t(ids[3]);
  if (o.Get("timeNamespace").ToBoolean()) s.flags |= SBX_FLAG_TIME_NS;
  if (o.Get("mergeStderr").ToBoolean()) s.flags |= SBX_FLAG_MERGE_STDERR;
  Napi::Value c = o.Get("collect");
  if (c.IsObject()) {
    uint64_t files, bytes;
    if (!GetU64(c.As<Napi::Object>(), "maxFiles", files, err, ph) ||
        !GetU64(c.As<Napi::Object>(), "maxTotalBytes", bytes, err, ph))
      return false;
    s.flags |= SBX_FLAG_COLLECT;
    s.collect_max_files = uint32_t(files);
    s.collect_max_bytes = bytes;
    Napi::Object co = c.As<Napi::Object>();
    h.collect_budget_ms = kCollectBudgetMs;
    if (co.Has("budgetMs") && !co.Get("budgetMs").IsUndefined() &&
        !GetU64(co, "budgetMs", h.collect_budget_ms, err, ph))
      return false;
  }
  return true;
}

bool ReadProfile(const Napi::Value &v, ProfileHolder &h, sbx_error_t &err) {
  const int ph = SBX_PHASE_PROFILE;
  if (!v.IsObject()) return Fail(err, ph, "profile");
  Napi::Object o = v.As<Napi::Object>();
  std::string def;
  uint64_t def_errno = 0;
  if (!GetStr(o, "defaultAction", def, err, ph)) return false;
  if (o.Get("defaultErrnoRet").IsNumber() && !GetU64(o, "defaultErrnoRet", def_errno, err, ph)) return false;
  if (sbx_seccomp_action(def.c_str(), uint32_t(def_errno), &h.profile.default_action) < 0)
    return Fail(err, ph, "defaultAction");
  Napi::Value sv = o.Get("syscalls");
  if (!sv.IsArray()) return Fail(err, ph, "syscalls");
  Napi::Array rules = sv.As<Napi::Array>();
  h.names.resize(rules.Length());
  h.args.resize(rules.Length());
  for (uint32_t i = 0; i < rules.Length(); i++) {
    if (!rules.Get(i).IsObject()) return Fail(err, ph, "syscalls[]");
    Napi::Object r = rules.Get(i).As<Napi::Object>();
    sbx_compile_rule_t rule{};
    std::string action;
    uint64_t errno_ret = 0;
    if (!GetStrList(r, "names", h.strings, h.names[i], err, ph) || !GetStr(r, "action", action, err, ph)) return false;
    if (r.Get("errnoRet").IsNumber() && !GetU64(r, "errnoRet", errno_ret, err, ph)) return false;
    if (sbx_seccomp_action(action.c_str(), uint32_t(errno_ret), &rule.action) < 0) return Fail(err, ph, "action");
    Napi::Value av = r.Get("args");
    if (av.IsArray()) {
      Napi::Array args = av.As<Napi::Array>();
      for (uint32_t j = 0; j < args.Length(); j++) {
        if (!args.Get(j).IsObject()) return Fail(err, ph, "args[]");
        Napi::Object a = args.Get(j).As<Napi::Object>();
        sbx_compile_arg_t arg{};
        uint64_t index;
        std::string op;
        if (!GetU64(a, "index", index, err, ph) || !GetStr(a, "op", op, err, ph)) return false;
        if (sbx_seccomp_op(op.c_str(), &arg.op) < 0) return Fail(err, ph, "op");
        arg.index = uint32_t(index);
        // 64-bit values arrive as decimal strings (beyond 2^53) or numbers.
        for (int k = 0; k < 2; k++) {
          Napi::Value x = a.Get(k == 0 ? "value" : "valueTwo");
          uint64_t &dst = k == 0 ? arg.value : arg.value_two;
          if (x.IsNumber())
            dst = uint64_t(x.As<Napi::Number>().Int64Value());
          else if (x.IsString() && !ParseU64(x.As<Napi::String>().Utf8Value(), dst))
            return Fail(err, ph, "value");
          else if (k == 0)
            return Fail(err, ph, "value");
        }
        h.args[i].push_back(arg);
      }
    }
    rule.names = h.names[i].data();
    rule.n_names = uint32_t(h.names[i].size());
    rule.args = h.args[i].data();
    rule.n_args = uint32_t(h.args[i].size());
    h.rules.push_back(rule);
  }
  h.profile.rules = h.rules.data();
  h.profile.n_rules = uint32_t(h.rules.size());
  return true;
}

namespace {

bool CopyPath(const Napi::Object &o, const char *key, char *dst, sbx_error_t &err) {
  std::string v;
  if (!GetStr(o, key, v, err, SBX_PHASE_CGROUP)) return false;
  if (v.size() >= SBX_CGROUP_PATH_MAX - 64) return Fail(err, SBX_PHASE_CGROUP, key);
  snprintf(dst, SBX_CGROUP_PATH_MAX, "%s", v.c_str());
  return true;
}

}  // namespace

bool ReadCgroupConfig(const Napi::Value &v, sbx_cgroup_config_t &cfg, sbx_error_t &err) {
  cfg = sbx_cgroup_config_t{};
  if (!v.IsObject()) return Fail(err, SBX_PHASE_CGROUP, "cgroup config");
  Napi::Object o = v.As<Napi::Object>();
  uint64_t version;
  if (!GetU64(o, "version", version, err, SBX_PHASE_CGROUP)) return false;
  cfg.version = int(version);
  if (version == 2) return CopyPath(o, "v2Dir", cfg.v2_dir, err);
  if (version != 1 || !o.Get("v1").IsObject()) return Fail(err, SBX_PHASE_CGROUP, "version");
  Napi::Object d = o.Get("v1").As<Napi::Object>();
  return CopyPath(d, "memory", cfg.v1_memory, err) && CopyPath(d, "pids", cfg.v1_pids, err) &&
         CopyPath(d, "cpu", cfg.v1_cpu, err) && CopyPath(d, "cpuacct", cfg.v1_cpuacct, err);
}

Napi::Object CgroupConfigToJs(Napi::Env env, const sbx_cgroup_config_t &cfg) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("version", cfg.version);
  if (cfg.version == 2) {
    o.Set("v2Dir", cfg.v2_dir);
    return o;
  }
  Napi::Object d = Napi::Object::New(env);
  d.Set("memory", cfg.v1_memory);
  d.Set("pids", cfg.v1_pids);
  d.Set("cpu", cfg.v1_cpu);
  d.Set("cpuacct", cfg.v1_cpuacct);
  o.Set("v1", d);
  return o;
}

Napi::Object OutcomeToJs(Napi::Env env, const Outcome &o) {
  Napi::Object r = Napi::Object::New(env);
  bool exited = o.has_exit && o.signal == 0;
  r.Set("exitCode", exited ? Napi::Value(Napi::Number::New(env, o.exit_code)) : env.Null());
  r.Set("signal", o.signal ? Napi::Value(Napi::Number::New(env, o.signal)) : env.Null());
  r.Set("killedBy", o.killed_by ? Napi::Value(Napi::String::New(env, o.killed_by)) : env.Null());
  r.Set("oomKilled", o.oom_killed);
  r.Set("seccompViolation", o.seccomp_violation);
  r.Set("cpuTimeNs", double(o.cpu_time_ns));
  r.Set("wallTimeNs", double(o.wall_time_ns));
  r.Set("setupNs", double(o.setup_ns));
  r.Set("programNs", double(o.program_ns));
  r.Set("teardownNs", double(o.teardown_ns));
  r.Set("memoryPeakBytes", double(o.memory_peak_bytes));
  r.Set("stdout", Napi::Buffer<uint8_t>::Copy(env, o.out.data(), o.out.size()));
  r.Set("stderr", Napi::Buffer<uint8_t>::Copy(env, o.err.data(), o.err.size()));
  r.Set("stdoutTruncated", o.out_truncated);
  r.Set("stderrTruncated", o.err_truncated);
  Napi::Array files = Napi::Array::New(env, o.collected.size());
  for (size_t i = 0; i < o.collected.size(); i++) {
    Napi::Object f = Napi::Object::New(env);
    f.Set("path", o.collected[i].path);
    f.Set("mode", o.collected[i].mode);
    f.Set("content", Napi::Buffer<uint8_t>::Copy(env, o.collected[i].content.data(), o.collected[i].content.size()));
    files.Set(uint32_t(i), f);
  }
  r.Set("collected", files);
  r.Set("collectTruncated", o.collect_truncated);
  r.Set("collectCut", o.collect_cut);
  return r;
}

}  // namespace sbx
