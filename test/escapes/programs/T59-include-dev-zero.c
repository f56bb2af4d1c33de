/* T59 compile-time attack: include an endless device. How: the preprocessor reads /dev/zero as a
 * source file; it never reaches end of file, so the compiler reads (and buffers) until something
 * stops it.
 * Expected safe outcome: the compile stage is sandboxed with the same limits: it ends TIME_LIMIT,
 * MEMORY_LIMIT or COMPILE_ERROR (overall status COMPILE_ERROR or the limit status); the worker and
 * the host are unaffected. */
#include "/dev/zero"
int main(void) { return 0; }
