/* T59 compile-time attack: .incbin of the compiler's environment. How: the assembler embeds
 * /proc/self/environ (the environment the compile stage runs with) into the binary, which prints it
 * when run; if the worker leaked its own environment (REDIS_URL, tokens) into the compile stage it
 * would appear in the output. GCC reads /proc files as empty with .incbin, so the program also
 * embeds /etc/hostname as a control that .incbin works.
 * Expected safe outcome: compile OK, run OK; the output holds the control but no worker secret. */
#include <stdio.h>

__asm__(
    ".section .rodata\n"
    ".global t59_env\nt59_env:\n.incbin \"/proc/self/environ\"\n.byte 0\n"
    ".global t59_host\nt59_host:\n.incbin \"/etc/hostname\"\n.byte 0\n"
    ".text\n");
extern const char t59_env[], t59_host[];

int main(void) {
  printf("{\"check\":\"incbin-control\",\"ok\":%s,\"errno\":\"\"}\n", t59_host[0] ? "true" : "false");
  printf("embedded-environ:");
  for (const char *p = t59_env; *p || p[1]; p++) putchar(*p ? *p : ' ');
  putchar('\n');
  return 0;
}
