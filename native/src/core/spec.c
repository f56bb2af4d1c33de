/*
 * The spec message (addon → sbx-init over fd 3, a sealed memfd). Layout, host byte order:
 *   u32 magic "SBX1", u32 flags, one u64 per limit (SBX_LIMIT_FIELDS order), 4 × u32 host ids
 *   (root uid, user uid, root gid, user gid), u32 collect_max_files, u64 collect_max_bytes,
 *   blob cwd, blob hostname, list layers, list argv, list env, list cgroup.procs paths, blob bpf,
 *   u32 n_files then per file: u32 mode, u32 read_only, blob path, blob data.
 * blob = u32 length, bytes, one NUL (not counted); list = u32 count, count × blob.
 * Decoding points into the caller's buffer; every length is checked against the buffer end.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sbx.h"

#define SPEC_MAGIC 0x31584253u /* "SBX1" */

typedef struct {
  uint8_t *buf;
  size_t len, cap;
  int failed;
} writer_t;

static void put(writer_t *w, const void *p, size_t n) {
  if (w->failed) return;
  if (w->len + n > w->cap) {
    size_t cap = w->cap ? w->cap : 4096;
    while (cap < w->len + n) cap *= 2;
    uint8_t *nb = realloc(w->buf, cap);
    if (!nb) {
      w->failed = 1;
      return;
    }
    w->buf = nb;
    w->cap = cap;
  }
  memcpy(w->buf + w->len, p, n);
  w->len += n;
}

static void put_u32(writer_t *w, uint32_t v) { put(w, &v, sizeof(v)); }
static void put_u64(writer_t *w, uint64_t v) { put(w, &v, sizeof(v)); }
static void put_blob(writer_t *w, const void *p, uint32_t n) {
  static const uint8_t nul = 0;
  put_u32(w, n);
  if (n) put(w, p, n);
  put(w, &nul, 1);
}
static void put_str(writer_t *w, const char *s) { put_blob(w, s ? s : "", s ? (uint32_t)strlen(s) : 0); }
static void put_list(writer_t *w, const char **v, uint32_t n) {
  put_u32(w, n);
  for (uint32_t i = 0; i < n; i++) put_str(w, v[i]);
}

int sbx_spec_encode(const sbx_spec_t *s, uint8_t **out, size_t *out_len, sbx_error_t *err) {
  writer_t w = {0};
  put_u32(&w, SPEC_MAGIC);
  put_u32(&w, s->flags);
#define PUT_LIMIT(field, js_name) put_u64(&w, s->limits.field);
  SBX_LIMIT_FIELDS(PUT_LIMIT)
#undef PUT_LIMIT
  put_u32(&w, s->host_root_uid);
  put_u32(&w, s->host_user_uid);
  put_u32(&w, s->host_root_gid);
  put_u32(&w, s->host_user_gid);
  put_u32(&w, s->collect_max_files);
  put_u64(&w, s->collect_max_bytes);
  put_str(&w, s->cwd);
  put_str(&w, s->hostname);
  put_list(&w, s->layers, s->n_layers);
  put_list(&w, s->argv, s->argc);
  put_list(&w, s->env, s->envc);
  put_blob(&w, s->bpf, s->bpf_len);
  put_u32(&w, s->n_files);
  for (uint32_t i = 0; i < s->n_files; i++) {
    put_u32(&w, s->files[i].mode);
    put_u32(&w, s->files[i].read_only);
    put_str(&w, s->files[i].path);
    put_blob(&w, s->files[i].data, s->files[i].len);
  }
  if (w.failed) {
    free(w.buf);
    return sbx_error_set(err, SBX_PHASE_SPAWN, ENOMEM, "encoding the spec");
  }
  *out = w.buf;
  *out_len = w.len;
  return 0;
}

typedef struct {
  uint8_t *p, *end;
  int failed;
} reader_t;

static void get(reader_t *r, void *dst, size_t n) {
  if (r->failed || (size_t)(r->end - r->p) < n) {
    r->failed = 1;
    memset(dst, 0, n);
    return;
  }
  memcpy(dst, r->p, n);
  r->p += n;
}
static uint32_t get_u32(reader_t *r) {
  uint32_t v;
  get(r, &v, sizeof(v));
  return v;
}
static uint64_t get_u64(reader_t *r) {
  uint64_t v;
  get(r, &v, sizeof(v));
  return v;
}
static const uint8_t *get_blob(reader_t *r, uint32_t *len) {
  uint32_t n = get_u32(r);
  if (r->failed || (size_t)(r->end - r->p) < (size_t)n + 1 || r->p[n] != 0) {
    r->failed = 1;
    *len = 0;
    return (const uint8_t *)"";
  }
  const uint8_t *v = r->p;
  r->p += (size_t)n + 1;
  *len = n;
  return v;
}
static const char *get_str(reader_t *r) {
  uint32_t n;
  return (const char *)get_blob(r, &n);
}
static const char **get_list(reader_t *r, uint32_t *count) {
  uint32_t n = get_u32(r);
  if (r->failed || n > (uint32_t)(r->end - r->p) / 5) {
    r->failed = 1;
    *count = 0;
    return NULL;
  }
  const char **v = calloc((size_t)n + 1, sizeof(char *));
  if (!v) {
    r->failed = 1;
    return NULL;
  }
  for (uint32_t i = 0; i < n; i++) v[i] = get_str(r);
  *count = n;
  return v;
}

int sbx_spec_decode(uint8_t *buf, size_t len, sbx_spec_t *s, sbx_error_t *err) {
  reader_t r = {.p = buf, .end = buf + len};
  memset(s, 0, sizeof(*s));
  if (get_u32(&r) != SPEC_MAGIC) return sbx_error_set(err, SBX_PHASE_SPAWN, EPROTO, "spec: bad magic");
  s->flags = get_u32(&r);
#define GET_LIMIT(field, js_name) s->limits.field = get_u64(&r);
  SBX_LIMIT_FIELDS(GET_LIMIT)
#undef GET_LIMIT
  s->host_root_uid = get_u32(&r);
  s->host_user_uid = get_u32(&r);
  s->host_root_gid = get_u32(&r);
  s->host_user_gid = get_u32(&r);
  s->collect_max_files = get_u32(&r);
  s->collect_max_bytes = get_u64(&r);
  s->cwd = get_str(&r);
  s->hostname = get_str(&r);
  s->layers = get_list(&r, &s->n_layers);
  s->argv = get_list(&r, &s->argc);
  s->env = get_list(&r, &s->envc);
  s->bpf = get_blob(&r, &s->bpf_len);
  s->n_files = get_u32(&r);
  if (!r.failed && s->n_files > (uint32_t)(r.end - r.p) / 10) r.failed = 1;
  if (!r.failed && s->n_files) s->files = calloc(s->n_files, sizeof(sbx_file_t));
  for (uint32_t i = 0; !r.failed && i < s->n_files; i++) {
    if (!s->files) {
      r.failed = 1;
      break;
    }
    s->files[i].mode = get_u32(&r);
    s->files[i].read_only = get_u32(&r);
    s->files[i].path = get_str(&r);
    s->files[i].data = get_blob(&r, &s->files[i].len);
  }
  if (r.failed || r.p != r.end || s->argc == 0 || s->n_layers == 0 || s->n_layers > SBX_MAX_LAYERS)
    return sbx_error_set(err, SBX_PHASE_SPAWN, EPROTO, "spec: malformed message");
  return 0;
}
