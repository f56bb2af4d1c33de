/* The spec message (core/spec.c): what the addon encodes is what sbx-init decodes, and every
 * malformed message is refused rather than read past its end. */
#include <errno.h>
#include <stdlib.h>

#include "unit.h"

static const char *layers[] = {"/layers/base", "/layers/python"};
static const char *argv_[] = {"python3", "main.py"};
static const char *env[] = {"PATH=/usr/bin:/bin", "LANG=C.UTF-8"};
static const uint8_t bpf[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static const uint8_t content[] = {'p', 'r', 'i', 'n', 't', 0, '\n'};

static sbx_file_t files[2] = {
    {.path = "main.py", .data = content, .len = sizeof(content), .mode = 0644, .read_only = 0},
    {.path = "data/in.txt", .data = NULL, .len = 0, .mode = 0444, .read_only = 1},
};

static sbx_spec_t sample(void) {
  sbx_spec_t s = {
      .flags = SBX_FLAG_TIME_NS | SBX_FLAG_COLLECT | SBX_FLAG_MERGE_STDERR,
      .n_layers = 2,
      .layers = layers,
      .argc = 2,
      .argv = argv_,
      .envc = 2,
      .env = env,
      .cwd = "/box",
      .hostname = "sandbox",
      .n_files = 2,
      .files = files,
      .limits = {.cpu_time_ms = 1000,
                 .wall_time_ms = 3000,
                 .memory_bytes = 256ull << 20,
                 .pids = 64,
                 .output_bytes = 1 << 20,
                 .file_size_bytes = 1 << 22,
                 .open_files = 128,
                 .tmpfs_bytes = 64ull << 20,
                 .stack_bytes = 8 << 20,
                 .cpu_millicores = 1500},
      .bpf = bpf,
      .bpf_len = sizeof(bpf),
      .host_root_uid = 2000000,
      .host_user_uid = 2000001,
      .host_root_gid = 2000002,
      .host_user_gid = 2000003,
      .collect_max_files = 10,
      .collect_max_bytes = 1ull << 33,
  };
  return s;
}

static void free_decoded(sbx_spec_t *s) {
  free(s->layers);
  free(s->argv);
  free(s->env);
  free(s->files);
}

/* Encodes `in` and decodes the message into *out (pointing into *buf: the caller frees both). */
static int round_trip(const sbx_spec_t *in, sbx_spec_t *out, uint8_t **buf) {
  sbx_error_t err = {0};
  size_t len = 0;
  *buf = NULL;
  memset(out, 0, sizeof(*out));
  int r = sbx_spec_encode(in, buf, &len, &err);
  CHECK_INT(r, 0);
  return r < 0 ? r : sbx_spec_decode(*buf, len, out, &err);
}

TEST(spec_round_trip_keeps_every_field) {
  sbx_spec_t in = sample(), out;
  uint8_t *buf;
  CHECK_INT(round_trip(&in, &out, &buf), 0);
  CHECK_U64(out.flags, in.flags);
  CHECK(memcmp(&out.limits, &in.limits, sizeof(in.limits)) == 0, "limits differ after the round trip");
  CHECK_U64(out.host_root_uid, 2000000);
  CHECK_U64(out.host_user_uid, 2000001);
  CHECK_U64(out.host_root_gid, 2000002);
  CHECK_U64(out.host_user_gid, 2000003);
  CHECK_U64(out.collect_max_files, 10);
  CHECK_U64(out.collect_max_bytes, 1ull << 33);
  CHECK_STR(out.cwd, "/box");
  CHECK_STR(out.hostname, "sandbox");
  CHECK_U64(out.n_layers, 2);
  CHECK_STR(out.layers[1], "/layers/python");
  CHECK(out.layers[2] == NULL, "a decoded list ends in NULL");
  CHECK_U64(out.argc, 2);
  CHECK_STR(out.argv[0], "python3");
  CHECK_U64(out.envc, 2);
  CHECK_STR(out.env[1], "LANG=C.UTF-8");
  CHECK_U64(out.bpf_len, sizeof(bpf));
  CHECK(memcmp(out.bpf, bpf, sizeof(bpf)) == 0, "bpf bytes differ");
  CHECK_U64(out.n_files, 2);
  CHECK_STR(out.files[0].path, "main.py");
  CHECK_U64(out.files[0].len, sizeof(content));
  CHECK(memcmp(out.files[0].data, content, sizeof(content)) == 0, "file content with a NUL byte differs");
  CHECK_U64(out.files[0].mode, 0644);
  CHECK_STR(out.files[1].path, "data/in.txt");
  CHECK_U64(out.files[1].len, 0);
  CHECK_U64(out.files[1].read_only, 1);
  free_decoded(&out);
  free(buf);
}

TEST(spec_null_strings_encode_as_empty) {
  sbx_spec_t in = sample(), out;
  uint8_t *buf;
  in.cwd = NULL;
  in.hostname = NULL;
  CHECK_INT(round_trip(&in, &out, &buf), 0);
  CHECK_STR(out.cwd, "");
  CHECK_STR(out.hostname, "");
  free_decoded(&out);
  free(buf);
}

/* Every prefix of a valid message is a truncated one: each must be refused (EPROTO, phase spawn). */
TEST(spec_every_truncation_is_refused) {
  sbx_spec_t in = sample(), out;
  sbx_error_t err = {0};
  uint8_t *buf = NULL;
  size_t len = 0;
  CHECK_INT(sbx_spec_encode(&in, &buf, &len, &err), 0);
  for (size_t cut = 0; cut < len; cut++) {
    uint8_t *copy = malloc(cut ? cut : 1);
    memcpy(copy, buf, cut);
    int r = sbx_spec_decode(copy, cut, &out, &err);
    if (r != -EPROTO)
      sbx_unit_fail(__FILE__, __LINE__, "a message cut at %zu of %zu bytes decoded with %d", cut, len, r);
    free_decoded(&out);
    free(copy);
  }
  CHECK_INT(err.phase, SBX_PHASE_SPAWN);
  free(buf);
}

static int decode_modified(size_t at, uint8_t value, size_t extra) {
  sbx_spec_t in = sample(), out;
  sbx_error_t err = {0};
  uint8_t *buf = NULL;
  size_t len = 0;
  sbx_spec_encode(&in, &buf, &len, &err);
  uint8_t *copy = calloc(1, len + extra);
  memcpy(copy, buf, len);
  if (at < len) copy[at] = value;
  int r = sbx_spec_decode(copy, len + extra, &out, &err);
  free_decoded(&out);
  free(copy);
  free(buf);
  return r;
}

TEST(spec_trailing_bytes_and_bad_magic_are_refused) {
  CHECK_INT(decode_modified(SIZE_MAX, 0, 1), -EPROTO);
  CHECK_INT(decode_modified(0, 'X', 0), -EPROTO);
}

/* The header: magic, flags, 10 limits, 4 ids, collect files and bytes; then the cwd blob. */
#define CWD_OFFSET (4 + 4 + sizeof(sbx_limits_t) + 16 + 4 + 8)

TEST(spec_blob_without_its_nul_or_too_long_is_refused) {
  /* cwd "/box": length 4 at CWD_OFFSET, the bytes, then the NUL at CWD_OFFSET + 8. */
  CHECK_INT(decode_modified(CWD_OFFSET + 8, 'x', 0), -EPROTO);
  CHECK_INT(decode_modified(CWD_OFFSET + 3, 0x7f, 0), -EPROTO);
}

static int decode_spec(sbx_spec_t *in) {
  sbx_spec_t out;
  uint8_t *buf;
  int r = round_trip(in, &out, &buf);
  free_decoded(&out);
  free(buf);
  return r;
}

TEST(spec_needs_an_argv_and_one_to_64_layers) {
  sbx_spec_t s = sample();
  s.argc = 0;
  CHECK_INT(decode_spec(&s), -EPROTO);
  s = sample();
  s.n_layers = 0;
  CHECK_INT(decode_spec(&s), -EPROTO);
  const char *many[SBX_MAX_LAYERS + 1];
  for (int i = 0; i <= SBX_MAX_LAYERS; i++) many[i] = "/l";
  s = sample();
  s.layers = many;
  s.n_layers = SBX_MAX_LAYERS;
  CHECK_INT(decode_spec(&s), 0);
  s.n_layers = SBX_MAX_LAYERS + 1;
  CHECK_INT(decode_spec(&s), -EPROTO);
}

TEST(spec_huge_counts_are_refused_before_allocating) {
  /* The layers count follows the hostname blob "sandbox" (4 + 7 + 1 bytes) after cwd (4 + 4 + 1). */
  size_t layers_at = CWD_OFFSET + 9 + 12;
  CHECK_INT(decode_modified(layers_at + 3, 0xff, 0), -EPROTO);
}
