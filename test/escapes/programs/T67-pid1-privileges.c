/* T67 a privileged or unfiltered helper inside the run. How: read container pid 1's status (the
 * only runtime process a run can see) and try to ptrace it: with every capability of the run's
 * user namespace, no seccomp filter and no no_new_privs, the first bug that reaches pid 1 would
 * own the run's namespaces.
 * Expected safe outcome: pid 1 holds only CAP_KILL and CAP_DAC_READ_SEARCH (effective, permitted),
 * an empty bounding and inheritable set, NoNewPrivs 1, Seccomp 2 (filter); attaching fails.
 * Control: its status is readable and names "sbx-init"; our own status is read the same way. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"
#include <stdlib.h>
#include <sys/ptrace.h>

/* The value of `key` in /proc/<pid>/status, or NULL. */
static char *field(const char *path, const char *key, char *out, size_t size) {
  FILE *f = fopen(path, "r");
  char line[256];
  size_t len = strlen(key);
  if (!f) return NULL;
  while (fgets(line, sizeof(line), f)) {
    if (strncmp(line, key, len) == 0 && line[len] == ':') {
      char *v = line + len + 1;
      while (*v == ' ' || *v == '\t') v++;
      v[strcspn(v, "\n")] = 0;
      snprintf(out, size, "%s", v);
      fclose(f);
      return out;
    }
  }
  fclose(f);
  return NULL;
}

static unsigned long long hex(const char *path, const char *key) {
  char v[64];
  return field(path, key, v, sizeof(v)) ? strtoull(v, NULL, 16) : ~0ull;
}

int main(void) {
  char name[64], v[64];
  fact("own-status-control", field("/proc/self/status", "Name", name, sizeof(name)) != NULL, errno);
  fact("pid1-status-readable", field("/proc/1/status", "Name", name, sizeof(name)) && strcmp(name, "sbx-init") == 0,
       errno);
  /* CAP_DAC_READ_SEARCH (2) and CAP_KILL (5). */
  fact("pid1-caps-kill-and-read-search-only",
       hex("/proc/1/status", "CapEff") == 0x24 && hex("/proc/1/status", "CapPrm") == 0x24, 0);
  fact("pid1-bounding-empty", hex("/proc/1/status", "CapBnd") == 0 && hex("/proc/1/status", "CapInh") == 0, 0);
  fact("pid1-no-new-privs", field("/proc/1/status", "NoNewPrivs", v, sizeof(v)) && strcmp(v, "1") == 0, 0);
  fact("pid1-seccomp-filter", field("/proc/1/status", "Seccomp", v, sizeof(v)) && strcmp(v, "2") == 0, 0);
  TRY("ptrace-attach-pid1", ptrace(PTRACE_ATTACH, 1, NULL, NULL));
  return 0;
}
