/*
 * The work directory /box: files placed in before the program starts, files collected after it
 * ended. Paths are confined to /box: every component is opened with O_NOFOLLOW relative to the
 * parent's fd, so a planted symlink is never followed (the Judge0 CVE-2024-28185/28189 class).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sbx.h"

#define BOX "/box"
#define COLLECT_DEPTH_MAX 16

/* Opens (creating as needed) the directory that will hold `path`; *leaf gets the last component. */
static int open_parent(int box_fd, char *path, const char **leaf, uid_t owner, sbx_error_t *err) {
  int dir = fcntl(box_fd, F_DUPFD_CLOEXEC, 0);
  char *save = NULL, *part = strtok_r(path, "/", &save);
  while (part) {
    char *next = strtok_r(NULL, "/", &save);
    if (!next) break;
    if (strcmp(part, "..") == 0 || strcmp(part, ".") == 0) {
      close(dir);
      return sbx_error_set(err, SBX_PHASE_SETUP, EINVAL, "file path component %s", part);
    }
    if (mkdirat(dir, part, 0755) == 0) {
      if (fchownat(dir, part, owner, owner, AT_SYMLINK_NOFOLLOW) < 0) {
        close(dir);
        return sbx_error_set(err, SBX_PHASE_SETUP, errno, "chown dir %s", part);
      }
    }
    int sub = openat(dir, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    close(dir);
    if (sub < 0) return sbx_error_set(err, SBX_PHASE_SETUP, errno, "open dir %s", part);
    dir = sub;
    part = next;
  }
  if (!part || strcmp(part, "..") == 0 || strcmp(part, ".") == 0) {
    close(dir);
    return sbx_error_set(err, SBX_PHASE_SETUP, EINVAL, "empty or dot file name");
  }
  *leaf = part;
  return dir;
}

static int write_one(int box_fd, const sbx_file_t *f, sbx_error_t *err) {
  char path[4096];
  const char *leaf = NULL;
  if (f->path[0] == '/' || strlen(f->path) >= sizeof(path))
    return sbx_error_set(err, SBX_PHASE_SETUP, EINVAL, "file path not relative: %.60s", f->path);
  strcpy(path, f->path);
  /* Read-only files belong to container root; the program (uid 1000) cannot change them. */
  uid_t owner = f->read_only ? 0 : SBX_SANDBOX_UID;
  cleanup_close int dir = open_parent(box_fd, path, &leaf, owner, err);
  if (dir < 0) return dir;
  mode_t mode = (mode_t)(f->mode & 07777) & (f->read_only ? ~(mode_t)0222 : ~(mode_t)0);
  cleanup_close int fd = openat(dir, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return sbx_error_set(err, SBX_PHASE_SETUP, errno, "create %.60s", f->path);
  for (uint32_t off = 0; off < f->len;) {
    ssize_t w = write(fd, f->data + off, f->len - off);
    if (w < 0) return sbx_error_set(err, SBX_PHASE_SETUP, errno, "write %.60s", f->path);
    off += (uint32_t)w;
  }
  if (fchown(fd, owner, owner) < 0 || fchmod(fd, mode) < 0)
    return sbx_error_set(err, SBX_PHASE_SETUP, errno, "chown/chmod %.60s", f->path);
  return 0;
}

int sbx_box_write_files(const sbx_spec_t *spec, sbx_error_t *err) {
  cleanup_close int box_fd = open(BOX, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (box_fd < 0) return sbx_error_set(err, SBX_PHASE_SETUP, errno, "open /box");
  for (uint32_t i = 0; i < spec->n_files; i++) {
    int r = write_one(box_fd, &spec->files[i], err);
    if (r < 0) return r;
  }
  return 0;
}

typedef struct {
  int report_fd;
  uint32_t files_left;
  uint64_t bytes_left;
  int truncated;
} collect_t;

static void collect_file(collect_t *c, int dir, const char *name, const char *rel) {
  int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  struct stat st;
  if (fd < 0) return;
  /* Checked again on the open fd: only regular files, never FIFOs or devices (no hang). */
  if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) goto out;
  if (c->files_left == 0 || (uint64_t)st.st_size > c->bytes_left) {
    c->truncated = 1;
    goto out;
  }
  size_t size = (size_t)st.st_size, got = 0;
  uint8_t *buf = malloc(size ? size : 1);
  if (!buf) goto out;
  while (got < size) {
    ssize_t n = read(fd, buf + got, size - got);
    if (n <= 0) break;
    got += (size_t)n;
  }
  uint32_t head[2] = {(uint32_t)(st.st_mode & 07777), (uint32_t)strlen(rel)};
  uint8_t *msg = malloc(sizeof(head) + head[1] + got);
  if (msg) {
    memcpy(msg, head, sizeof(head));
    memcpy(msg + sizeof(head), rel, head[1]);
    memcpy(msg + sizeof(head) + head[1], buf, got);
    sbx_report_send(c->report_fd, SBX_MSG_FILE, msg, sizeof(head) + head[1] + got, NULL, 0);
    free(msg);
  }
  free(buf);
  c->files_left--;
  c->bytes_left -= got;
out:
  close(fd);
}

static void collect_dir(collect_t *c, int dir_fd, const char *prefix, int depth) {
  DIR *d = fdopendir(dir_fd);
  if (!d) {
    close(dir_fd);
    return;
  }
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    char rel[4096];
    snprintf(rel, sizeof(rel), "%s%s%s", prefix, *prefix ? "/" : "", e->d_name);
    struct stat st;
    if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) continue;
    if (S_ISREG(st.st_mode)) {
      collect_file(c, dirfd(d), e->d_name, rel);
    } else if (S_ISDIR(st.st_mode) && depth < COLLECT_DEPTH_MAX) {
      int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub >= 0) collect_dir(c, sub, rel, depth + 1);
    } else if (S_ISDIR(st.st_mode)) {
      c->truncated = 1;
    }
  }
  closedir(d);
}

int sbx_box_collect(int report_fd, const sbx_spec_t *spec, sbx_error_t *err) {
  collect_t c = {.report_fd = report_fd, .files_left = spec->collect_max_files, .bytes_left = spec->collect_max_bytes};
  /* openat, not open: this runs under pid 1's allow-list (seccomp.c), which has openat only, and
   * a libc's open() may issue either system call (musl's issues open). */
  int box_fd = openat(AT_FDCWD, BOX, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (box_fd < 0) return sbx_error_set(err, SBX_PHASE_SETUP, errno, "open /box for collect");
  collect_dir(&c, box_fd, "", 0);
  if (c.truncated) sbx_report_send(report_fd, SBX_MSG_COLLECT_TRUNCATED, NULL, 0, NULL, 0);
  /* T74: the addon takes a collection without this frame as cut, never as complete. */
  sbx_report_send(report_fd, SBX_MSG_COLLECT_DONE, NULL, 0, NULL, 0);
  return 0;
}
