#include "base/ct.h"

#include <sodium.h>

int ct_equal(const void *a, const void *b, size_t n)
{
	return sodium_memcmp(a, b, n) == 0;
}

void ct_wipe(void *p, size_t n)
{
	sodium_memzero(p, n);
}
