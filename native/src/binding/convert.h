// JS value ⇄ C struct conversion for the addon (convert.cc). Holders own the storage the C
// structs point into, so a converted spec stays valid while its holder lives.
#pragma once

#include <napi.h>

#include <deque>
#include <string>
#include <vector>

#include "waiter.h"

extern "C" {
#include "sbx-compile.h"
#include "sbx.h"
}

namespace sbx {

// T74: how long pid 1 may take to collect /box after the program exited, unless the spec says.
constexpr uint64_t kCollectBudgetMs = 5'000;

struct SpecHolder {
  sbx_spec_t spec{};
  std::deque<std::string> strings;  // a deque: pointers into its elements never move
  std::vector<const char *> layers, argv, env;
  std::vector<std::vector<uint8_t>> blobs;
  std::vector<sbx_file_t> files;
  std::vector<uint8_t> bpf;
  std::vector<uint8_t> stdin_bytes;
  uint64_t collect_budget_ms = 0;  // addon only (the waiter's timer), not sent to sbx-init
};

struct ProfileHolder {
  sbx_compile_profile_t profile{};
  std::deque<std::string> strings;
  std::vector<std::vector<const char *>> names;
  std::vector<std::vector<sbx_compile_arg_t>> args;
  std::vector<sbx_compile_rule_t> rules;
};

// Each returns false and fills err (phase SPAWN or PROFILE, EINVAL) on a malformed value.
bool ReadSpec(const Napi::Value &v, SpecHolder &h, sbx_error_t &err);
bool ReadLimits(const Napi::Value &v, sbx_limits_t &limits, sbx_error_t &err);
bool ReadProfile(const Napi::Value &v, ProfileHolder &h, sbx_error_t &err);
bool ReadCgroupConfig(const Napi::Value &v, sbx_cgroup_config_t &cfg, sbx_error_t &err);

Napi::Object CgroupConfigToJs(Napi::Env env, const sbx_cgroup_config_t &cfg);
Napi::Object OutcomeToJs(Napi::Env env, const Outcome &o);
Napi::Error MakeError(Napi::Env env, const sbx_error_t &e);

}  // namespace sbx
