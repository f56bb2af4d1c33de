/** Probes in C (also C++ and Objective-C) and x86-64 assembly: see probe-programs.ts. */
import type { LanguageProbes } from './probe-programs.js';

const C_READ = String.raw`#include <stdio.h>
int main(void) {
  FILE *f = fopen("/etc/shadow", "r");
  if (!f) { perror("fopen"); return 1; }
  int c;
  while ((c = fgetc(f)) != EOF) putchar(c);
  return 0;
}
`;
const C_WRITE = String.raw`#include <stdio.h>
int main(void) {
  FILE *f = fopen("/bulkhead-probe-written", "w");
  if (!f) { perror("fopen"); return 1; }
  fputs("x", f);
  fclose(f);
  puts("WRITTEN");
  return 0;
}
`;
const C_FORK = String.raw`#include <stdio.h>
#include <unistd.h>
int main(void) {
  for (int i = 0; i < 200; i++) {
    if (fork() == 0) { puts("x"); fflush(stdout); sleep(30); _exit(0); }
  }
  sleep(30);
  return 0;
}
`;
const C_MEMORY = String.raw`#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(void) {
  for (int i = 0; i < 64; i++) {
    char *p = (char *)malloc(64 << 20);
    if (!p) return 2;
    memset(p, 1, 64 << 20);
  }
  puts("done");
  return 0;
}
`;
// In both fork bombs the parent sleeps too: the run ends when its program exits, and a parent
// that left at once would take children with it before they printed.
export const C_PROBES: LanguageProbes = { read: C_READ, write: C_WRITE, fork: C_FORK, memory: C_MEMORY };

export const ASSEMBLY_PROBES: LanguageProbes = {
  read: 'section .data\npath: db "/etc/shadow", 0\nsection .bss\nbuf: resb 4096\nsection .text\nglobal _start\n_start:\n    mov rax, 2\n    lea rdi, [rel path]\n    xor rsi, rsi\n    syscall\n    test rax, rax\n    js fail\n    mov rdi, rax\n    xor rax, rax\n    lea rsi, [rel buf]\n    mov rdx, 4096\n    syscall\n    mov rdx, rax\n    mov rax, 1\n    mov rdi, 1\n    lea rsi, [rel buf]\n    syscall\n    mov rax, 60\n    xor rdi, rdi\n    syscall\nfail:\n    mov rax, 60\n    mov rdi, 1\n    syscall\n',
  write:
    'section .data\npath: db "/bulkhead-probe-written", 0\nmsg: db "WRITTEN", 10\nsection .text\nglobal _start\n_start:\n    mov rax, 2\n    lea rdi, [rel path]\n    mov rsi, 0x41\n    mov rdx, 0o644\n    syscall\n    test rax, rax\n    js fail\n    mov rax, 1\n    mov rdi, 1\n    lea rsi, [rel msg]\n    mov rdx, 8\n    syscall\n    mov rax, 60\n    xor rdi, rdi\n    syscall\nfail:\n    mov rax, 60\n    mov rdi, 1\n    syscall\n',
  fork: 'section .data\nx: db "x", 10\nts: dq 30, 0\nsection .text\nglobal _start\n_start:\n    mov r12, 200\nagain:\n    mov rax, 57\n    syscall\n    test rax, rax\n    jz child\n    dec r12\n    jnz again\n    mov rax, 35\n    lea rdi, [rel ts]\n    xor rsi, rsi\n    syscall\n    mov rax, 60\n    xor rdi, rdi\n    syscall\nchild:\n    mov rax, 1\n    mov rdi, 1\n    lea rsi, [rel x]\n    mov rdx, 2\n    syscall\n    mov rax, 35\n    lea rdi, [rel ts]\n    xor rsi, rsi\n    syscall\n    mov rax, 60\n    xor rdi, rdi\n    syscall\n',
  memory:
    'section .text\nglobal _start\n_start:\n    mov r12, 64\nchunk:\n    mov rax, 9\n    xor rdi, rdi\n    mov rsi, 0x4000000\n    mov rdx, 3\n    mov r10, 0x22\n    mov r8, -1\n    xor r9, r9\n    syscall\n    test rax, rax\n    js fail\n    mov rcx, 0x4000\ntouch:\n    mov byte [rax], 1\n    add rax, 4096\n    dec rcx\n    jnz touch\n    dec r12\n    jnz chunk\n    mov rax, 60\n    xor rdi, rdi\n    syscall\nfail:\n    mov rax, 60\n    mov rdi, 2\n    syscall\n',
};
