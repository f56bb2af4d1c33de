/* T59 compile-time attack: include a secret file. How: GCC prints the offending lines of an included
 * file in its diagnostics, so including /etc/shadow (or a host file) leaks it through compiler
 * errors if the compiler can read it.
 * Expected safe outcome: COMPILE_ERROR; the compile output names the file but holds no line of it
 * (no "root:" entry, no password hash): the compiler runs as the unprivileged sandbox user over the
 * image's own files, never the host's. */
#include "/etc/shadow"
int main(void) { return 0; }
