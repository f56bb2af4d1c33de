/* cgroup.c on a v2-shaped directory tree in a temporary directory (any host): limit files
 * written, statistics parsed, cleanup after a failed create; and the pure parsers. Runs under real
 * v2 limits are `npm run test:cgroup-v2`. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

static const char *v2_files[] = {"memory.max", "memory.swap.max", "memory.oom.group", "pids.max",    "cpu.max",
                                 "cpu.stat",   "memory.peak",     "memory.events",    "cgroup.kill", "cgroup.procs"};

static void put_file(const char *dir, const char *name, const char *text) {
  char path[1024];
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  if (!f) {
    sbx_unit_fail(__FILE__, __LINE__, "cannot write %s", path);
    return;
  }
  fputs(text, f);
  fclose(f);
}

static void read_file(const char *dir, const char *name, char *buf, size_t size) {
  char path[1024];
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  buf[0] = 0;
  FILE *f = fopen(path, "r");
  if (!f) return;
  size_t n = fread(buf, 1, size - 1, f);
  buf[n] = 0;
  fclose(f);
}

/* <tmp>/cgroup.controllers and <tmp>/bulkhead/run-1 with every v2 file a run uses, empty. */
static void fake_v2_tree(sbx_cgroup_t *cg) {
  const char *root = sbx_unit_tmpdir();
  char dir[SBX_CGROUP_PATH_MAX];
  put_file(root, "cgroup.controllers", "cpuset cpu io memory pids\n");
  snprintf(dir, sizeof(dir), "%s/bulkhead", root);
  mkdir(dir, 0755);
  memset(cg, 0, sizeof(*cg));
  cg->version = 2;
  cg->n_dirs = 1;
  cg->cpu_fd = -1;
  snprintf(cg->dirs[0], sizeof(cg->dirs[0]), "%s/bulkhead/run-1", root);
  mkdir(cg->dirs[0], 0755);
  for (size_t i = 0; i < sizeof(v2_files) / sizeof(v2_files[0]); i++) put_file(cg->dirs[0], v2_files[i], "");
}

static const sbx_limits_t limits = {.cpu_time_ms = 1000,
                                    .wall_time_ms = 2000,
                                    .memory_bytes = 64 << 20,
                                    .pids = 16,
                                    .output_bytes = 1024,
                                    .file_size_bytes = 1024,
                                    .open_files = 16,
                                    .tmpfs_bytes = 1 << 20,
                                    .stack_bytes = 1 << 20,
                                    .cpu_millicores = 1500};

TEST(cgroup_v2_detected_from_cgroup_controllers) {
  sbx_cgroup_t cg;
  sbx_cgroup_config_t cfg;
  sbx_error_t err = {0};
  char want[SBX_CGROUP_PATH_MAX + 16];
  fake_v2_tree(&cg);
  CHECK_INT(sbx_cgroup_detect(sbx_unit_tmpdir(), "bulkhead", &cfg, &err), 0);
  CHECK_INT(cfg.version, 2);
  snprintf(want, sizeof(want), "%s/bulkhead", sbx_unit_tmpdir());
  CHECK_STR(cfg.v2_dir, want);
}

TEST(cgroup_neither_v2_nor_v1_is_a_host_error) {
  sbx_cgroup_config_t cfg;
  sbx_error_t err = {0};
  CHECK_INT(sbx_cgroup_detect(sbx_unit_tmpdir(), "bulkhead", &cfg, &err), -ENOENT);
  CHECK_INT(err.phase, SBX_PHASE_HOST);
}

TEST(cgroup_v2_limits_written) {
  sbx_cgroup_t cg;
  sbx_error_t err = {0};
  char text[64];
  fake_v2_tree(&cg);
  CHECK_INT(sbx_cgroup_set_limits(&cg, &limits, &err), 0);
  read_file(cg.dirs[0], "memory.max", text, sizeof(text));
  CHECK_STR(text, "67108864");
  /* Swap counted: the memory limit is the whole budget. */
  read_file(cg.dirs[0], "memory.swap.max", text, sizeof(text));
  CHECK_STR(text, "0");
  read_file(cg.dirs[0], "memory.oom.group", text, sizeof(text));
  CHECK_STR(text, "1");
  read_file(cg.dirs[0], "pids.max", text, sizeof(text));
  CHECK_STR(text, "16");
  read_file(cg.dirs[0], "cpu.max", text, sizeof(text));
  CHECK_STR(text, "150000 100000");
}

/* The statistics of a fake v2 cgroup whose files hold these texts (peak_file NULL: no memory.peak,
 * memory.current holds `peak`); returns sbx_cgroup_stats' result. */
static int stats_of(const char *cpu_stat, const char *peak_file, const char *peak, const char *events,
                    sbx_cgroup_stats_t *st, sbx_error_t *err) {
  sbx_cgroup_t cg;
  char path[SBX_CGROUP_PATH_MAX + 16];
  fake_v2_tree(&cg);
  if (!peak_file) {
    snprintf(path, sizeof(path), "%s/memory.peak", cg.dirs[0]);
    unlink(path);
  }
  put_file(cg.dirs[0], "cpu.stat", cpu_stat);
  put_file(cg.dirs[0], peak_file ? peak_file : "memory.current", peak);
  put_file(cg.dirs[0], "memory.events", events);
  CHECK_INT(sbx_cgroup_open(&cg, err), 0);
  int r = sbx_cgroup_stats(&cg, st, err);
  close(cg.cpu_fd);
  return r;
}

TEST(cgroup_v2_stats_read_cpu_stat_memory_peak_and_events) {
  sbx_cgroup_stats_t st;
  sbx_error_t err = {0};
  CHECK_INT(stats_of("usage_usec 123456\nuser_usec 100000\nsystem_usec 23456\n", "memory.peak", "7340032\n",
                     "low 0\nhigh 0\nmax 12\noom 2\noom_kill 1\noom_group_kill 1\n", &st, &err),
            0);
  CHECK_U64(st.cpu_time_ns, 123456000);
  CHECK_U64(st.memory_peak_bytes, 7340032);
  CHECK_U64(st.oom_kills, 1);
}

/* memory.peak exists since Linux 5.19. */
TEST(cgroup_v2_stats_fall_back_to_memory_current) {
  sbx_cgroup_stats_t st;
  sbx_error_t err = {0};
  CHECK_INT(stats_of("usage_usec 5\n", NULL, "4096\n", "oom_kill 0\n", &st, &err), 0);
  CHECK_U64(st.memory_peak_bytes, 4096);
}

TEST(cgroup_unparsable_stats_are_a_cgroup_error) {
  sbx_cgroup_stats_t st;
  sbx_error_t err = {0};
  CHECK_INT(stats_of("user_usec 5\n", "memory.peak", "1\n", "oom_kill 0\n", &st, &err), -EPROTO);
  CHECK_INT(err.phase, SBX_PHASE_CGROUP);
  CHECK_INT(stats_of("usage_usec 5\n", "memory.peak", "1\n", "oom 0\n", &st, &err), -EPROTO);
}

/* A plain directory is not a cgroup: the kernel files do not appear, so the create fails at the
 * first limit write and must leave nothing behind. */
TEST(cgroup_failed_create_removes_the_half_made_cgroup) {
  sbx_cgroup_t fake, cg;
  sbx_cgroup_config_t cfg = {.version = 2};
  sbx_error_t err = {0};
  char run[SBX_CGROUP_PATH_MAX + 16];
  fake_v2_tree(&fake);
  snprintf(cfg.v2_dir, sizeof(cfg.v2_dir), "%s/bulkhead", sbx_unit_tmpdir());
  CHECK_INT(sbx_cgroup_create(&cfg, "run-2", &limits, &cg, &err), -ENOENT);
  CHECK_INT(err.phase, SBX_PHASE_CGROUP);
  CHECK_INT(err.errno_value, ENOENT);
  snprintf(run, sizeof(run), "%s/run-2", cfg.v2_dir);
  CHECK(access(run, F_OK) != 0, "%s still exists", run);
}

TEST(cgroup_procs_files_one_per_directory) {
  sbx_cgroup_t cg = {.version = 1, .n_dirs = 4, .cpu_fd = -1};
  char out[4][SBX_CGROUP_PATH_MAX];
  const char *names[] = {"memory", "pids", "cpu", "cpuacct"};
  for (int i = 0; i < 4; i++) snprintf(cg.dirs[i], sizeof(cg.dirs[i]), "/cg/%s/r1-1", names[i]);
  CHECK_INT(sbx_cgroup_procs_files(&cg, out, 4), 4);
  CHECK_STR(out[3], "/cg/cpuacct/r1-1/cgroup.procs");
  CHECK_INT(sbx_cgroup_procs_files(&cg, out, 2), 2);
}

TEST(cgroup_parse_keyed_finds_whole_keys_only) {
  uint64_t v = 0;
  CHECK_INT(sbx_cgroup_parse_keyed("oom_kill_disable 0\nunder_oom 0\noom_kill 3\n", "oom_kill", &v), 0);
  CHECK_U64(v, 3);
  CHECK_INT(sbx_cgroup_parse_keyed("usage_usec 42\n", "usage_usec", &v), 0);
  CHECK_U64(v, 42);
  CHECK_INT(sbx_cgroup_parse_keyed("oom_kill\t7", "oom_kill", &v), 0);
  CHECK_U64(v, 7);
  CHECK_INT(sbx_cgroup_parse_keyed("oom_kill_disable 0\n", "oom_kill", &v), -ENOENT);
  CHECK_INT(sbx_cgroup_parse_keyed("", "oom_kill", &v), -ENOENT);
  CHECK_INT(sbx_cgroup_parse_keyed("oom_kill x\n", "oom_kill", &v), -EINVAL);
}

TEST(cgroup_parse_u64_reads_numbers_and_max) {
  uint64_t v = 0;
  CHECK_INT(sbx_cgroup_parse_u64("  7340032\n", &v), 0);
  CHECK_U64(v, 7340032);
  CHECK_INT(sbx_cgroup_parse_u64("max\n", &v), 0);
  CHECK_U64(v, UINT64_MAX);
  CHECK_INT(sbx_cgroup_parse_u64("", &v), -EINVAL);
  CHECK_INT(sbx_cgroup_parse_u64("abc", &v), -EINVAL);
  CHECK_INT(sbx_cgroup_parse_u64("99999999999999999999999", &v), -EINVAL);
}
