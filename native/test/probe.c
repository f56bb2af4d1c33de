/*
 * probe: a static multi-tool run inside the sandbox by the tests. Each command reports what the
 * process sees as one line of JSON; the tests assert every fact (and a control for each block).
 * Usage: probe <command> [args...]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

static void result(int rc) { printf("{\"ok\":%s,\"errno\":%d}\n", rc == 0 ? "true" : "false", rc == 0 ? 0 : errno); }

static void json_str(const char *s) {
  putchar('"');
  for (; *s; s++) {
    if (*s == '"' || *s == '\\')
      printf("\\%c", *s);
    else if (*s == '\n')
      printf("\\n");
    else if ((unsigned char)*s < 0x20)
      printf("\\u%04x", *s);
    else
      putchar(*s);
  }
  putchar('"');
}

static void print_file(const char *path) {
  char buf[8192] = {0};
  int fd = open(path, O_RDONLY);
  if (fd < 0) {
    printf("{\"ok\":false,\"errno\":%d}\n", errno);
    return;
  }
  ssize_t n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  printf("{\"ok\":true,\"bytes\":%zd,\"text\":", n);
  json_str(n > 0 ? buf : "");
  printf("}\n");
}

static void list_dir(const char *path) {
  DIR *d = opendir(path);
  if (!d) {
    printf("{\"ok\":false,\"errno\":%d}\n", errno);
    return;
  }
  printf("{\"ok\":true,\"entries\":[");
  struct dirent *e;
  int first = 1;
  while ((e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    if (!strcmp(path, "/proc/self/fd") && atoi(e->d_name) == dirfd(d)) continue;
    printf("%s", first ? "" : ",");
    json_str(e->d_name);
    first = 0;
  }
  closedir(d);
  printf("]}\n");
}

static int connect_tcp(const char *host, int port) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0) return -1;
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  inet_pton(AF_INET, host, &a.sin_addr);
  int r = connect(s, (struct sockaddr *)&a, sizeof(a));
  int e = errno;
  close(s);
  errno = e;
  return r;
}

static void listen_and_connect(void) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  socklen_t len = sizeof(a);
  if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 1) < 0 ||
      getsockname(s, (struct sockaddr *)&a, &len) < 0) {
    result(-1);
    return;
  }
  result(connect_tcp("127.0.0.1", ntohs(a.sin_port)));
}

static void fork_bomb(void) {
  int n = 0;
  for (;;) {
    pid_t p = fork();
    if (p == 0) {
      pause();
      _exit(0);
    }
    if (p < 0) break;
    n++;
    if (n > 100000) break;
  }
  printf("{\"forked\":%d,\"errno\":%d}\n", n, errno);
}

static void daemonize(void) {
  pid_t p = fork();
  if (p == 0) {
    setsid();
    if (fork() == 0) {
      signal(SIGHUP, SIG_IGN);
      for (;;) pause();
    }
    _exit(0);
  }
  waitpid(p, NULL, 0);
  printf("{\"ok\":true}\n");
}

static void eat_memory(long mib) {
  for (long i = 0; i < mib; i++) {
    char *p = malloc(1 << 20);
    if (!p) {
      printf("{\"ok\":false,\"mib\":%ld}\n", i);
      return;
    }
    memset(p, 1, 1 << 20);
  }
  printf("{\"ok\":true}\n");
}

static void write_bytes(const char *path, long bytes) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    result(-1);
    return;
  }
  char buf[4096];
  memset(buf, 'x', sizeof(buf));
  long done = 0;
  while (done < bytes) {
    ssize_t w = write(fd, buf, (size_t)(bytes - done < 4096 ? bytes - done : 4096));
    if (w < 0) {
      printf("{\"ok\":false,\"errno\":%d,\"written\":%ld}\n", errno, done);
      return;
    }
    done += w;
  }
  printf("{\"ok\":true,\"written\":%ld}\n", done);
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  const char *cmd = argc > 1 ? argv[1] : "";
  const char *a1 = argc > 2 ? argv[2] : "";
  const char *a2 = argc > 3 ? argv[3] : "";
  if (!strcmp(cmd, "read"))
    print_file(a1);
  else if (!strcmp(cmd, "ls"))
    list_dir(a1);
  else if (!strcmp(cmd, "write")) {
    int fd = open(a1, O_WRONLY | O_CREAT, 0644);
    result(fd < 0 ? -1 : 0);
  } else if (!strcmp(cmd, "mknod"))
    result(mknod(a1, S_IFCHR | 0666, makedev(1, 3)));
  else if (!strcmp(cmd, "net"))
    result(connect_tcp(a1, atoi(a2)));
  else if (!strcmp(cmd, "loopback"))
    listen_and_connect();
  else if (!strcmp(cmd, "mount"))
    result(mount("none", a1, "tmpfs", 0, NULL));
  else if (!strcmp(cmd, "unshare-user"))
    result(unshare(CLONE_NEWUSER));
  else if (!strcmp(cmd, "setuid0"))
    result(setuid(0));
  else if (!strcmp(cmd, "kill"))
    result(kill(atoi(a1), SIGKILL));
  else if (!strcmp(cmd, "ifaces")) {
    struct if_nameindex *ifs = if_nameindex();
    printf("{\"ifaces\":[");
    for (int i = 0; ifs && ifs[i].if_index; i++) {
      printf("%s", i ? "," : "");
      json_str(ifs[i].if_name);
    }
    printf("]}\n");
  } else if (!strcmp(cmd, "ids")) {
    struct statvfs vfs;
    statvfs("/", &vfs);
    struct utsname u;
    uname(&u);
    printf("{\"pid\":%d,\"ppid\":%d,\"uid\":%d,\"gid\":%d,\"rootReadOnly\":%s,\"hostname\":", getpid(), getppid(),
           getuid(), getgid(), (vfs.f_flag & ST_RDONLY) ? "true" : "false");
    json_str(u.nodename);
    printf("}\n");
  } else if (!strcmp(cmd, "mem"))
    eat_memory(atol(a1));
  else if (!strcmp(cmd, "spin"))
    for (;;) {
    }
  else if (!strcmp(cmd, "sleep"))
    for (;;) pause();
  else if (!strcmp(cmd, "stop"))
    raise(SIGSTOP);
  else if (!strcmp(cmd, "flood")) {
    char buf[65536];
    memset(buf, 'y', sizeof(buf));
    for (;;)
      if (write(atoi(a1 && *a1 ? a1 : "1"), buf, sizeof(buf)) < 0) return 3;
  } else if (!strcmp(cmd, "fsize"))
    write_bytes(a1, atol(a2));
  else if (!strcmp(cmd, "fork-bomb"))
    fork_bomb();
  else if (!strcmp(cmd, "daemon"))
    daemonize();
  else if (!strcmp(cmd, "exit"))
    return atoi(a1);
  else if (!strcmp(cmd, "x32"))
    result((int)syscall(0x40000000 | SYS_getpid) < 0 ? -1 : 0);
  else if (!strcmp(cmd, "int80")) {
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(20) : "memory");
    printf("{\"ok\":true,\"ret\":%ld}\n", ret);
  } else if (!strcmp(cmd, "syscall"))
    result((int)syscall(atol(a1), 0, 0, 0) < 0 ? -1 : 0);
  else if (!strcmp(cmd, "cat-stdin")) {
    char buf[4096];
    ssize_t n;
    long total = 0;
    while ((n = read(0, buf, sizeof(buf))) > 0) total += n;
    printf("{\"stdinBytes\":%ld}\n", total);
  } else if (!strcmp(cmd, "env")) {
    extern char **environ;
    printf("{\"env\":[");
    for (int i = 0; environ[i]; i++) {
      printf("%s", i ? "," : "");
      json_str(environ[i]);
    }
    printf("]}\n");
  } else {
    fprintf(stderr, "unknown command %s\n", cmd);
    return 2;
  }
  return 0;
}
