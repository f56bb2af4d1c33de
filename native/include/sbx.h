/*
 * Bulkhead sandbox core: pure C API shared by the Node addon (binding/) and the sbx-init helper
 * (init/). No Node headers here. Every fallible function follows the crun convention:
 * it returns 0 or a negative errno and fills an sbx_error_t {phase, errno, msg}.
 */
#ifndef SBX_H
#define SBX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SBX_MSG_MAX 200
#define SBX_MAX_LAYERS 64
#define SBX_MAX_CGROUP_DIRS 4
#define SBX_CGROUP_PATH_MAX 512
/* Inside the container: container root is uid/gid 0, the program runs as uid/gid 1000. */
#define SBX_SANDBOX_UID 1000
#define SBX_SANDBOX_GID 1000

/* Fixed fd numbers in sbx-init (set up by the addon's posix_spawn file actions). */
#define SBX_FD_SPEC 3 /* a socket: the spec memfd arrives on it once per reader (see spawn.c) */
#define SBX_FD_REPORT 4
#define SBX_FD_USERNS 5
#define SBX_FD_NETNS 6 /* a fresh network namespace made ahead of demand (SBX_FLAG_NETNS_FD) */
/* From here on (argv --cgroup-fds N): the run's cgroup.procs files, opened by the addon, so no
 * host path or counter appears in an argv the run can read (T70). */
#define SBX_FD_CGROUP_FIRST 7

/* Where a failure happened. The error codes they are reported as belong to the service
 * (worker/contract/failure.ts); the binding exports the names (sbx_phase_name) as `phases`, and a
 * unit test fails when the two lists drift. */
typedef enum {
  SBX_PHASE_INTERNAL = 0, /* no phase of its own (a zeroed sbx_error_t, an unknown number) */
  SBX_PHASE_SETUP = 1,    /* namespaces, mounts, ids */
  SBX_PHASE_CGROUP = 2,
  SBX_PHASE_SECCOMP = 3,
  SBX_PHASE_SPAWN = 4,   /* starting sbx-init */
  SBX_PHASE_EXEC = 5,    /* execve of the program */
  SBX_PHASE_PROFILE = 6, /* compiling a profile */
  SBX_PHASE_HOST = 7,    /* host not prepared */
  SBX_PHASE_COUNT
} sbx_phase_t;

typedef struct {
  int phase;       /* sbx_phase_t */
  int errno_value; /* positive errno, 0 when not an errno failure */
  char msg[SBX_MSG_MAX];
} sbx_error_t;

/* The phase's name ("setup", "cgroup", ...); "internal" for a number outside sbx_phase_t. */
const char *sbx_phase_name(int phase);

/* Fills err and returns -errno_value (or -EINVAL when errno_value is 0). */
int sbx_error_set(sbx_error_t *err, int phase, int errno_value, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- cleanup helpers (crun style) ---- */
void sbx_cleanup_closep(int *fd);
void sbx_cleanup_freep(void *p);
#define cleanup_close __attribute__((cleanup(sbx_cleanup_closep)))
#define cleanup_free __attribute__((cleanup(sbx_cleanup_freep)))

/* ---- limits and spec (spec.c): the message the addon sends sbx-init over fd 3 ---- */
/*
 * Every limit of one run, each a u64: X(field, "jsName"). The struct, the spec message's encoder
 * and decoder, and the binding's conversion from JS (NativeLimits, whose names these are) all
 * follow this list, so a new limit is one line here plus the place that applies it. It holds the
 * contract's per-stage limits (worker/contract/limits.ts) and the worker's fixed ones.
 */
#define SBX_LIMIT_FIELDS(X)           \
  X(cpu_time_ms, "cpuTimeMs")         \
  X(wall_time_ms, "wallTimeMs")       \
  X(memory_bytes, "memoryBytes")      \
  X(pids, "pids")                     \
  X(output_bytes, "outputBytes")      \
  X(file_size_bytes, "fileSizeBytes") \
  X(open_files, "openFiles")          \
  X(tmpfs_bytes, "tmpfsBytes")        \
  X(stack_bytes, "stackBytes")        \
  X(cpu_millicores, "cpuMillicores") /* cpu quota: 1000 = one full core */

typedef struct {
#define SBX_LIMIT_MEMBER(field, js_name) uint64_t field;
  SBX_LIMIT_FIELDS(SBX_LIMIT_MEMBER)
#undef SBX_LIMIT_MEMBER
} sbx_limits_t;

typedef struct {
  const char *path; /* relative to /box */
  const uint8_t *data;
  uint32_t len;
  uint32_t mode;
  uint32_t read_only; /* 1: owned by container root, not writable by the program */
} sbx_file_t;

#define SBX_FLAG_TIME_NS 1u   /* give the program a time namespace */
#define SBX_FLAG_USERNS_FD 2u /* ran in the outer user namespace (sbx-init acts on argv --userns) */
#define SBX_FLAG_COLLECT 4u
#define SBX_FLAG_NETNS_FD 8u      /* ran in a pooled netns, lo already up (sbx-init acts on argv --netns) */
#define SBX_FLAG_MERGE_STDERR 16u /* the program's stderr is its stdout pipe: one stream, in write order */

typedef struct {
  uint32_t flags;
  uint32_t n_layers;
  const char **layers; /* base first */
  uint32_t argc;
  const char **argv;
  uint32_t envc;
  const char **env;
  const char *cwd;
  const char *hostname;
  uint32_t n_files;
  sbx_file_t *files;
  sbx_limits_t limits;
  const uint8_t *bpf;                    /* struct sock_filter[] */
  uint32_t bpf_len;                      /* bytes */
  uint32_t host_root_uid, host_user_uid; /* ids (in the parent user ns) of container 0 and 1000 */
  uint32_t host_root_gid, host_user_gid;
  uint32_t collect_max_files;
  uint64_t collect_max_bytes;
} sbx_spec_t;

/* Serialises spec into a fresh heap buffer (*out, *out_len). */
int sbx_spec_encode(const sbx_spec_t *spec, uint8_t **out, size_t *out_len, sbx_error_t *err);
/* Parses buf (kept alive by the caller; strings point into it) into spec (arrays malloc'd). */
int sbx_spec_decode(uint8_t *buf, size_t len, sbx_spec_t *spec, sbx_error_t *err);

/* ---- report pipe (report.c): messages sbx-init sends back on fd 4 ---- */
typedef enum {
  SBX_MSG_ERROR = 1,             /* u32 phase, i32 errno, msg bytes */
  SBX_MSG_PID1 = 2,              /* u32 host pid of the container's pid 1 */
  SBX_MSG_STARTED = 3,           /* empty: the program is about to be exec'd */
  SBX_MSG_EXIT = 4,              /* i32 wait status of the program */
  SBX_MSG_FILE = 5,              /* u32 mode, u32 path_len, path, content */
  SBX_MSG_COLLECT_TRUNCATED = 6, /* empty */
  SBX_MSG_COLLECT_DONE = 7,      /* empty: the collection ended (absent: it was cut, T74) */
} sbx_msg_type_t;

/* Frame: u32 type, u32 payload length, payload. Little endian (host order). */
typedef struct {
  uint32_t type;
  uint32_t len;
} sbx_msg_header_t;

int sbx_report_send(int fd, uint32_t type, const void *a, size_t alen, const void *b, size_t blen);
void sbx_report_error(int fd, const sbx_error_t *err);

/* ---- cgroups (cgroup.c) ---- */
typedef struct {
  int version;                         /* 1 or 2 */
  char v2_dir[SBX_CGROUP_PATH_MAX];    /* v2: delegated parent directory */
  char v1_memory[SBX_CGROUP_PATH_MAX]; /* v1: parent dirs per controller */
  char v1_pids[SBX_CGROUP_PATH_MAX];
  char v1_cpu[SBX_CGROUP_PATH_MAX];
  char v1_cpuacct[SBX_CGROUP_PATH_MAX];
} sbx_cgroup_config_t;

typedef struct {
  int version;
  int n_dirs;
  char dirs[SBX_MAX_CGROUP_DIRS][SBX_CGROUP_PATH_MAX]; /* v1: memory pids cpu cpuacct; v2: one */
  int cpu_fd; /* owned: cpuacct.usage (v1) or cpu.stat (v2), opened O_CLOEXEC; -1 when closed */
} sbx_cgroup_t;

typedef struct {
  uint64_t cpu_time_ns;
  uint64_t memory_peak_bytes;
  uint64_t oom_kills;
} sbx_cgroup_stats_t;

/* Detects the layout under mount_root (normally /sys/fs/cgroup) and fills cfg with subdir `parent`. */
int sbx_cgroup_detect(const char *mount_root, const char *parent, sbx_cgroup_config_t *cfg, sbx_error_t *err);
int sbx_cgroup_create(const sbx_cgroup_config_t *cfg, const char *name, const sbx_limits_t *limits, sbx_cgroup_t *cg,
                      sbx_error_t *err);
/* Sets per-run limits on an existing (pooled) cgroup. */
int sbx_cgroup_set_limits(sbx_cgroup_t *cg, const sbx_limits_t *limits, sbx_error_t *err);
/* Opens the cpu accounting file of a cgroup whose version and dirs are already filled in. */
int sbx_cgroup_open(sbx_cgroup_t *cg, sbx_error_t *err);
int sbx_cgroup_procs_files(const sbx_cgroup_t *cg, char out[][SBX_CGROUP_PATH_MAX], int max);
int sbx_cgroup_cpu_ns(sbx_cgroup_t *cg, uint64_t *cpu_ns, sbx_error_t *err);
int sbx_cgroup_stats(sbx_cgroup_t *cg, sbx_cgroup_stats_t *stats, sbx_error_t *err);
/* v2: writes cgroup.kill; v1: no-op (the run is killed through its pid namespace). */
int sbx_cgroup_kill(sbx_cgroup_t *cg);
int sbx_cgroup_destroy(sbx_cgroup_t *cg, sbx_error_t *err);
/* Removes per-run cgroups ("r<pid>-<n>") left by worker processes that no longer exist (a killed
 * worker cannot clean up); returns how many directories were removed. */
int sbx_cgroup_sweep_stale(const sbx_cgroup_config_t *cfg);
/* Pure parsers (unit-tested): value of `key` in "key value\n" lines; a single number. */
int sbx_cgroup_parse_keyed(const char *text, const char *key, uint64_t *value);
int sbx_cgroup_parse_u64(const char *text, uint64_t *value);

/* ---- seccomp (seccomp.c: install, no libseccomp) ---- */
int sbx_seccomp_install(const uint8_t *bpf, uint32_t bpf_len, sbx_error_t *err);
/* Container pid 1's own fixed allow-list (its wait/kill/report/collect loop). */
int sbx_seccomp_install_supervisor(sbx_error_t *err);

/* ---- containment phases (contain.c, userns.c, mount.c, caps.c, rlimit.c, fds.c, net.c) ---- */
/* The text of one uid_map/gid_map: container 0 and the program's id to the two host ids (pure). */
int sbx_userns_map_text(char *buf, size_t size, uint32_t host_root_id, int inside_user_id, uint32_t host_user_id);
int sbx_userns_write_maps(pid_t pid, const sbx_spec_t *spec, sbx_error_t *err);
int sbx_userns_enter(int userns_fd, sbx_error_t *err);
int sbx_userns_become_root(sbx_error_t *err);
int sbx_mount_open_layers(const sbx_spec_t *spec, int *layer_fds, sbx_error_t *err);
/* dev_fd: fresh /dev from sbx_dev_make_fresh (privileged worker), or -1 to bind the host's nodes. */
int sbx_mount_rootfs(const sbx_spec_t *spec, const int *layer_fds, int dev_fd, sbx_error_t *err);
int sbx_mount_finish_readonly(sbx_error_t *err);
/* dev.c: a detached tmpfs with fresh nodes (host root only); owned and made read-only by _seal. */
int sbx_dev_make_fresh(sbx_error_t *err);
/* dev.c: 1 when this process may make device nodes that open (root of the initial user ns). */
int sbx_dev_fresh_possible(void);
int sbx_dev_make_links(int dir_fd, sbx_error_t *err);
int sbx_dev_seal(int dev_fd, uint32_t uid, uint32_t gid, sbx_error_t *err);
int sbx_dev_attach(int dev_fd, const char *target, sbx_error_t *err);
int sbx_box_write_files(const sbx_spec_t *spec, sbx_error_t *err);
int sbx_net_loopback_up(sbx_error_t *err);
/* min, default, max bytes per socket written to net.ipv4.tcp_rmem/tcp_wmem of a run's netns. */
#define SBX_NET_TCP_RMEM "4096 131072 1048576"
#define SBX_NET_TCP_WMEM "4096 16384 1048576"
int sbx_net_bound_buffers(sbx_error_t *err);
int sbx_net_enter(int netns_fd, sbx_error_t *err);
/* sbx-init --netns-pool (init/netns-pool.c): returns the helper's exit status. */
int sbx_netns_pool_main(int userns_fd);
int sbx_caps_drop_to_user(sbx_error_t *err);
/* Container pid 1 after the program's fork: only CAP_KILL and CAP_DAC_READ_SEARCH left. */
int sbx_caps_keep_supervisor(sbx_error_t *err);
int sbx_rlimit_apply(const sbx_limits_t *limits, sbx_error_t *err);
int sbx_rlimit_prefer_for_oom(sbx_error_t *err);
int sbx_fds_close_from(int first_fd, sbx_error_t *err);
int sbx_fds_reset_signals(sbx_error_t *err);
int sbx_box_collect(int report_fd, const sbx_spec_t *spec, sbx_error_t *err);

/* Container pid 1: everything between "ids mapped" and "program forked". */
int sbx_contain_pid1(const sbx_spec_t *spec, int dev_fd, sbx_error_t *err);
/* The program's own process: drop to the sandbox user and exec (once locked_fd reads EOF: pid 1
 * is locked down). Returns only on failure. */
int sbx_contain_exec_program(const sbx_spec_t *spec, int locked_fd, sbx_error_t *err);

#endif
