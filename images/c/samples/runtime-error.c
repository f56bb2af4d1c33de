#include <stdio.h>
#include <stdlib.h>

int main(void) {
  fprintf(stderr, "exiting with status 3\n");
  exit(3);
}
