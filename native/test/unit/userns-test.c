/* The id maps written for each run (core/userns.c): exactly container root and the program's id,
 * one host id each, nothing else mapped. */
#include "unit.h"

TEST(userns_map_maps_exactly_two_ids) {
  char text[128];
  int n = sbx_userns_map_text(text, sizeof(text), 2000000, SBX_SANDBOX_UID, 2000001);
  CHECK_STR(text, "0 2000000 1\n1000 2000001 1\n");
  CHECK_INT(n, (int)strlen(text));
}

TEST(userns_map_fits_the_largest_ids) {
  char text[128];
  int n = sbx_userns_map_text(text, sizeof(text), UINT32_MAX, SBX_SANDBOX_GID, UINT32_MAX - 1);
  CHECK_STR(text, "0 4294967295 1\n1000 4294967294 1\n");
  CHECK(n < (int)sizeof(text), "the map text was cut (%d bytes)", n);
}
