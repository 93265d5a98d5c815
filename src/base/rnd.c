#include "base/rnd.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>

int rnd_bytes(void *buf, size_t len)
{
	uint8_t *p = buf;
	while (len > 0) {
		ssize_t n = getrandom(p, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ERR_IO;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";

int rnd_id(char out[RND_ID_CHARS + 1])
{
	uint8_t raw[RND_ID_BYTES];
	if (rnd_bytes(raw, sizeof(raw)) != 0)
		return ERR_IO;
	/* 20 bytes = 160 bits = 32 groups of 5 bits. */
	size_t o = 0;
	for (size_t i = 0; i < RND_ID_BYTES; i += 5) {
		uint64_t v = 0;
		for (size_t j = 0; j < 5; j++)
			v = (v << 8) | raw[i + j];
		for (int k = 7; k >= 0; k--)
			out[o++] = b32[(v >> (k * 5)) & 31];
	}
	out[o] = '\0';
	return 0;
}

int rnd_ice_string(char *out, size_t n)
{
	static const char alpha[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint8_t raw[256];
	if (n >= sizeof(raw))
		return ERR_INVAL;
	if (rnd_bytes(raw, n) != 0)
		return ERR_IO;
	for (size_t i = 0; i < n; i++)
		out[i] = alpha[raw[i] & 63];
	out[n] = '\0';
	return 0;
}

uint32_t rnd_u32(void)
{
	uint32_t v = 0;
	while (v == 0) {
		if (rnd_bytes(&v, sizeof(v)) != 0)
			abort(); /* no randomness means no safe identifiers */
	}
	return v;
}

int rnd_id_valid(const char *s, size_t len)
{
	if (len != RND_ID_CHARS)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7')))
			return 0;
	}
	return 1;
}
