/* libFuzzer target for src/api/cookie.c. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/cookie.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *h = malloc(size + 1);
	char out[64];
	if (!h)
		return 0;
	memcpy(h, data, size);
	h[size] = '\0';
	int rc = cookie_get(h, "kamer_session", out, sizeof(out));
	if (rc == 0 && strlen(out) >= sizeof(out))
		abort();
	free(h);
	return 0;
}
