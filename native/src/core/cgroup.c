/*
 * cgroups v1 and v2: one fresh cgroup per run (memory with swap counted, pids, cpu quota, cpu
 * accounting), statistics after the run, removal. The parent directories come from
 * sbx_cgroup_detect() or from the caller (tests point them at a v2-shaped tree in a tmp dir).
 */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sbx.h"

#define CPU_PERIOD_US 100000ull
/* Memory bound a pooled v1 cgroup's socket limit is derived from until its run's limits arrive. */
#define SBX_CGROUP_POOL_SOCKET_BYTES (64ull << 20)

int sbx_cgroup_parse_u64(const char *text, uint64_t *value) {
  char *end;
  while (*text == ' ' || *text == '\t') text++;
  if (strncmp(text, "max", 3) == 0) {
    *value = UINT64_MAX;
    return 0;
  }
  errno = 0;
  unsigned long long v = strtoull(text, &end, 10);
  if (errno || end == text) return -EINVAL;
  *value = v;
  return 0;
}

int sbx_cgroup_parse_keyed(const char *text, const char *key, uint64_t *value) {
  size_t klen = strlen(key);
  const char *line = text;
  while (line && *line) {
    if (strncmp(line, key, klen) == 0 && (line[klen] == ' ' || line[klen] == '\t'))
      return sbx_cgroup_parse_u64(line + klen + 1, value);
    line = strchr(line, '\n');
    if (line) line++;
  }
  return -ENOENT;
}

static int write_file(const char *dir, const char *file, const char *value, sbx_error_t *err) {
  char path[SBX_CGROUP_PATH_MAX + 64];
  snprintf(path, sizeof(path), "%s/%s", dir, file);
  cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return sbx_error_set(err, SBX_PHASE_CGROUP, errno, "open %s", path);
  ssize_t n;
  /* memory.limit_in_bytes answers EINTR whenever the writing thread has a signal pending (Node's
   * threads get SIGCHLD and others); the write had no effect then, so it is simply repeated. */
  int tries = 0;
  while ((n = write(fd, value, strlen(value))) < 0 && errno == EINTR && ++tries < 1000) {
  }
  if (n < 0) return sbx_error_set(err, SBX_PHASE_CGROUP, errno, "write %s=%s", path, value);
  return 0;
}

/* Like write_file, but a missing file (controller feature off on this host) is not an error. */
static int write_optional(const char *dir, const char *file, const char *value, sbx_error_t *err) {
  int r = write_file(dir, file, value, err);
  return (r == -ENOENT) ? 0 : r;
}

static int read_text(const char *dir, const char *file, char *buf, size_t size, sbx_error_t *err) {
  char path[SBX_CGROUP_PATH_MAX + 64];
  snprintf(path, sizeof(path), "%s/%s", dir, file);
  cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return sbx_error_set(err, SBX_PHASE_CGROUP, errno, "open %s", path);
  ssize_t n = pread(fd, buf, size - 1, 0);
  if (n < 0) return sbx_error_set(err, SBX_PHASE_CGROUP, errno, "read %s", path);
  buf[n] = 0;
  return 0;
}

static int exists(const char *dir, const char *file) {
  char path[SBX_CGROUP_PATH_MAX + 64];
  snprintf(path, sizeof(path), "%s/%s", dir, file);
  return access(path, F_OK) == 0;
}

int sbx_cgroup_detect(const char *mount_root, const char *parent, sbx_cgroup_config_t *cfg, sbx_error_t *err) {
  char text[512];
  memset(cfg, 0, sizeof(*cfg));
  sbx_error_t ignored;
  if (read_text(mount_root, "cgroup.controllers", text, sizeof(text), &ignored) == 0) {
    cfg->version = 2;
    snprintf(cfg->v2_dir, sizeof(cfg->v2_dir), "%.200s/%.200s", mount_root, parent);
    return 0;
  }
  static const char *names[4] = {"memory", "pids", "cpu", "cpuacct"};
  char *dst[4] = {cfg->v1_memory, cfg->v1_pids, cfg->v1_cpu, cfg->v1_cpuacct};
  for (int i = 0; i < 4; i++) {
    char ctl[SBX_CGROUP_PATH_MAX / 2];
    snprintf(ctl, sizeof(ctl), "%.200s/%s", mount_root, names[i]);
    if (access(ctl, F_OK) != 0)
      return sbx_error_set(err, SBX_PHASE_HOST, errno, "no cgroup v2 and no v1 %s controller under %s", names[i],
                           mount_root);
    snprintf(dst[i], SBX_CGROUP_PATH_MAX, "%s/%.200s", ctl, parent);
  }
  cfg->version = 1;
  return 0;
}

static int limit_v2(sbx_cgroup_t *cg, const sbx_limits_t *l, sbx_error_t *err) {
  char v[64];
  const char *d = cg->dirs[0];
  int r;
  snprintf(v, sizeof(v), "%" PRIu64, l->memory_bytes);
  if ((r = write_file(d, "memory.max", v, err))) return r;
  /* Swap counted: with swap.max 0 the memory limit is the whole budget. */
  if ((r = write_optional(d, "memory.swap.max", "0", err))) return r;
  /* One OOM kills the whole run, so no half-dead tree keeps running. */
  if ((r = write_optional(d, "memory.oom.group", "1", err))) return r;
  snprintf(v, sizeof(v), "%" PRIu64, l->pids);
  if ((r = write_file(d, "pids.max", v, err))) return r;
  snprintf(v, sizeof(v), "%llu %llu", (unsigned long long)(l->cpu_millicores * CPU_PERIOD_US / 1000), CPU_PERIOD_US);
  return write_file(d, "cpu.max", v, err);
}

/* memsw must stay >= limit_in_bytes at every instant: lowering (a fresh, unlimited cgroup) goes
 * mem first; raising a limit written earlier (a pooled cgroup) would be refused with EINVAL that
 * way, so then memsw goes first. */
static int limit_v1_memory(const char *dir, uint64_t bytes, sbx_error_t *err) {
  char v[32];
  snprintf(v, sizeof(v), "%" PRIu64, bytes);
  int r = write_file(dir, "memory.limit_in_bytes", v, err);
  if (r == -EINVAL) {
    if ((r = write_optional(dir, "memory.memsw.limit_in_bytes", v, err))) return r;
    return write_file(dir, "memory.limit_in_bytes", v, err);
  }
  if (r) return r;
  return write_optional(dir, "memory.memsw.limit_in_bytes", v, err);
}

/*
 * T65: v1 charges socket buffers to a cgroup only once its memory.kmem.tcp.limit_in_bytes has
 * been written, and only for sockets made after that write (the socket takes its memcg at
 * creation). Once written, TCP and UDP receive and send queues (measured on 6.18: 200 loopback
 * UDP sockets pinned 1.6 GiB without it, 14 MiB under a 16 MiB limit with it) are charged to that
 * counter, which sits beside memory.limit_in_bytes rather than inside it. Half the run's memory
 * limit: a run pins at most 1.5 times its limit in all, and the host's socket memory grows by no
 * more than the limit. v2 charges socket memory to memory.max itself and needs nothing here.
 */
static int limit_v1_sockets(const char *dir, uint64_t memory_bytes, sbx_error_t *err) {
  char v[32];
  /* The kernel rounds down to pages; one page keeps a tiny limit meaningful. */
  uint64_t bytes = memory_bytes / 2 < 4096 ? 4096 : memory_bytes / 2;
  snprintf(v, sizeof(v), "%" PRIu64, bytes);
  return write_optional(dir, "memory.kmem.tcp.limit_in_bytes", v, err);
}

static int limit_v1(sbx_cgroup_t *cg, const sbx_limits_t *l, sbx_error_t *err) {
  char v[64];
  int r;
  if ((r = limit_v1_memory(cg->dirs[0], l->memory_bytes, err))) return r;
  if ((r = limit_v1_sockets(cg->dirs[0], l->memory_bytes, err))) return r;
  snprintf(v, sizeof(v), "%" PRIu64, l->pids);
  if ((r = write_file(cg->dirs[1], "pids.max", v, err))) return r;
  snprintf(v, sizeof(v), "%llu", CPU_PERIOD_US);
  if ((r = write_file(cg->dirs[2], "cpu.cfs_period_us", v, err))) return r;
  snprintf(v, sizeof(v), "%llu", (unsigned long long)(l->cpu_millicores * CPU_PERIOD_US / 1000));
  return write_file(cg->dirs[2], "cpu.cfs_quota_us", v, err);
}

int sbx_cgroup_set_limits(sbx_cgroup_t *cg, const sbx_limits_t *limits, sbx_error_t *err) {
  return cg->version == 2 ? limit_v2(cg, limits, err) : limit_v1(cg, limits, err);
}

/* v1 hosts often co-mount cpu,cpuacct; then the cpu cgroup made just before is the cpuacct one. */
static int same_dir(const char *a, const char *b) {
  struct stat sa, sb;
  return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static int make_dirs(const sbx_cgroup_config_t *cfg, const char *name, sbx_cgroup_t *cg, sbx_error_t *err) {
  const char *parents[4] = {cfg->v1_memory, cfg->v1_pids, cfg->v1_cpu, cfg->v1_cpuacct};
  int n = cfg->version == 2 ? 1 : 4;
  if (cfg->version == 2) parents[0] = cfg->v2_dir;
  for (int i = 0; i < n; i++) {
    snprintf(cg->dirs[i], SBX_CGROUP_PATH_MAX, "%s/%s", parents[i], name);
    if (mkdir(cg->dirs[i], 0755) < 0 && !(errno == EEXIST && i == 3 && same_dir(cg->dirs[2], cg->dirs[3])))
      return sbx_error_set(err, SBX_PHASE_CGROUP, errno, "mkdir %s", cg->dirs[i]);
    cg->n_dirs = i + 1;
  }
  return 0;
}

int sbx_cgroup_create(const sbx_cgroup_config_t *cfg, const char *name, const sbx_limits_t *limits, sbx_cgroup_t *cg,
                      sbx_error_t *err) {
  int r;
  memset(cg, 0, sizeof(*cg));
  cg->version = cfg->version;
  cg->cpu_fd = -1;
  if ((r = make_dirs(cfg, name, cg, err)) < 0) goto fail;
  /* Before any process joins (a pooled cgroup gets its helper next and its limits later): socket
   * accounting covers only sockets made after this write. The pool's placeholder is replaced by
   * the run's own bound in sbx_cgroup_set_limits. */
  if (cg->version == 1 &&
      (r = limit_v1_sockets(cg->dirs[0], limits ? limits->memory_bytes : SBX_CGROUP_POOL_SOCKET_BYTES, err)) < 0)
    goto fail;
  if (limits && (r = sbx_cgroup_set_limits(cg, limits, err)) < 0) goto fail;
  if ((r = sbx_cgroup_open(cg, err)) < 0) goto fail;
  return 0;
fail:;
  sbx_error_t ignored;
  sbx_cgroup_destroy(cg, &ignored);
  return r;
}

int sbx_cgroup_procs_files(const sbx_cgroup_t *cg, char out[][SBX_CGROUP_PATH_MAX], int max) {
  int n = 0;
  for (int i = 0; i < cg->n_dirs && n < max; i++) {
    /* v1 cpuacct is joined too: cpu time of the whole tree is read from it. */
    snprintf(out[n++], SBX_CGROUP_PATH_MAX, "%.*s/cgroup.procs", SBX_CGROUP_PATH_MAX - 20, cg->dirs[i]);
  }
  return n;
}

int sbx_cgroup_cpu_ns(sbx_cgroup_t *cg, uint64_t *cpu_ns, sbx_error_t *err) {
  char buf[512];
  ssize_t n = pread(cg->cpu_fd, buf, sizeof(buf) - 1, 0);
  if (n < 0) return sbx_error_set(err, SBX_PHASE_CGROUP, errno, "read cpu usage");
  buf[n] = 0;
  uint64_t v = 0;
  if (cg->version == 2) {
    if (sbx_cgroup_parse_keyed(buf, "usage_usec", &v) < 0)
      return sbx_error_set(err, SBX_PHASE_CGROUP, EPROTO, "cpu.stat has no usage_usec");
    *cpu_ns = v * 1000;
    return 0;
  }
  if (sbx_cgroup_parse_u64(buf, &v) < 0) return sbx_error_set(err, SBX_PHASE_CGROUP, EPROTO, "bad cpuacct.usage");
  *cpu_ns = v;
  return 0;
}

static int read_u64(const char *dir, const char *file, const char *key, uint64_t *v, sbx_error_t *err) {
  char buf[2048];
  int r = read_text(dir, file, buf, sizeof(buf), err);
  if (r < 0) return r;
  r = key ? sbx_cgroup_parse_keyed(buf, key, v) : sbx_cgroup_parse_u64(buf, v);
  if (r < 0) return sbx_error_set(err, SBX_PHASE_CGROUP, EPROTO, "cannot parse %s/%s", dir, file);
  return 0;
}

int sbx_cgroup_stats(sbx_cgroup_t *cg, sbx_cgroup_stats_t *st, sbx_error_t *err) {
  int r;
  memset(st, 0, sizeof(*st));
  if ((r = sbx_cgroup_cpu_ns(cg, &st->cpu_time_ns, err)) < 0) return r;
  const char *mem = cg->dirs[0];
  if (cg->version == 2) {
    /* memory.peak exists since Linux 5.19; older kernels only give the current usage. */
    const char *peak = exists(mem, "memory.peak") ? "memory.peak" : "memory.current";
    if ((r = read_u64(mem, peak, NULL, &st->memory_peak_bytes, err)) < 0) return r;
    return read_u64(mem, "memory.events", "oom_kill", &st->oom_kills, err);
  }
  if ((r = read_u64(mem, "memory.max_usage_in_bytes", NULL, &st->memory_peak_bytes, err)) < 0) return r;
  /* The oom_kill counter, not failcnt: failcnt also counts reclaim that succeeded. */
  return read_u64(mem, "memory.oom_control", "oom_kill", &st->oom_kills, err);
}

int sbx_cgroup_kill(sbx_cgroup_t *cg) {
  sbx_error_t ignored;
  if (cg->version != 2) return 0;
  return write_optional(cg->dirs[0], "cgroup.kill", "1", &ignored);
}

int sbx_cgroup_destroy(sbx_cgroup_t *cg, sbx_error_t *err) {
  int result = 0;
  if (cg->cpu_fd >= 0) close(cg->cpu_fd);
  cg->cpu_fd = -1;
  /* Every directory is tried even when one fails (teardown runs to completion). */
  for (int i = cg->n_dirs - 1; i >= 0; i--) {
    int tries = 0;
    while (rmdir(cg->dirs[i]) < 0) {
      if (errno == ENOENT) break;
      if (errno != EBUSY || ++tries > 200) {
        result = sbx_error_set(err, SBX_PHASE_CGROUP, errno, "rmdir %s", cg->dirs[i]);
        break;
      }
      /* A task that just exited can stay listed for a moment after its parent reaped it. */
      struct timespec ts = {0, 500000};
      nanosleep(&ts, NULL);
    }
  }
  cg->n_dirs = 0;
  return result;
}

int sbx_cgroup_open(sbx_cgroup_t *cg, sbx_error_t *err) {
  char path[SBX_CGROUP_PATH_MAX + 32];
  if (cg->version == 2)
    snprintf(path, sizeof(path), "%s/cpu.stat", cg->dirs[0]);
  else
    snprintf(path, sizeof(path), "%s/cpuacct.usage", cg->dirs[3]);
  cg->cpu_fd = open(path, O_RDONLY | O_CLOEXEC);
  if (cg->cpu_fd < 0) return sbx_error_set(err, SBX_PHASE_CGROUP, errno, "open %s", path);
  return 0;
}

/* Is `name` a per-run cgroup ("r<pid>-<n>") of a process that no longer exists? */
static int is_stale(const char *name) {
  char *end;
  if (name[0] != 'r') return 0;
  errno = 0;
  long pid = strtol(name + 1, &end, 10);
  if (errno || end == name + 1 || *end != '-' || pid <= 0) return 0;
  /* EPERM: alive, just not ours to signal. A reused pid keeps a dir until a later start. */
  return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

int sbx_cgroup_sweep_stale(const sbx_cgroup_config_t *cfg) {
  const char *parents[4] = {cfg->v1_memory, cfg->v1_pids, cfg->v1_cpu, cfg->v1_cpuacct};
  int n = cfg->version == 2 ? 1 : 4, removed = 0;
  if (cfg->version == 2) parents[0] = cfg->v2_dir;
  for (int i = 0; i < n; i++) {
    DIR *d = opendir(parents[i]);
    if (!d) continue;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
      /* rmdir fails (EBUSY) on a cgroup that still holds a process: nothing running is touched. */
      if (e->d_type == DT_DIR && is_stale(e->d_name) && unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR) == 0) removed++;
    }
    closedir(d);
  }
  return removed;
}
