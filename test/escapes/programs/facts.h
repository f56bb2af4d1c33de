/* The JSON-line facts the C attack programs print, sent beside each program that includes it
 * (test/escapes/attack-request.ts). Each line: {"check": name, "ok": bool, "errno": "ENAME" or ""}.
 * The including program defines _GNU_SOURCE first (strerrorname_np). */
#ifndef FACTS_H
#define FACTS_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* One fact per line: ok = the operation succeeded (or the stated condition holds). */
static void fact(const char *check, int ok, int err) {
  const char *name = (ok || err == 0) ? "" : strerrorname_np(err);
  printf("{\"check\":\"%s\",\"ok\":%s,\"errno\":\"%s\"}\n", check, ok ? "true" : "false", name ? name : "?");
  fflush(stdout);
}

/* Records whether a call returning -1 on failure succeeded, with its errno. */
#define TRY(check, call)          \
  do {                            \
    errno = 0;                    \
    long r_ = (long)(call);       \
    fact(check, r_ != -1, errno); \
  } while (0)

#endif
