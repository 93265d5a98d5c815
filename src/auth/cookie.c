/* cookie.c - the Cookie header is "name=value" pairs separated by "; " (RFC 6265 4.2.1);
 * browsers are lenient, so spaces around pairs are skipped. */
#include "auth/cookie.h"

#include <string.h>

static int is_value_char(unsigned char c)
{
	/* cookie-octet (RFC 6265 4.1.1), also allowing the quotes of a quoted value. */
	return c == 0x21 || (c >= 0x23 && c <= 0x2b) || (c >= 0x2d && c <= 0x3a) ||
	       (c >= 0x3c && c <= 0x5b) || (c >= 0x5d && c <= 0x7e) || c == '"';
}

int cookie_get(const char *header, const char *name, char *out, size_t cap)
{
	size_t nlen = strlen(name);
	int found = 0;
	const char *p = header;
	if (cap == 0)
		return ERR_LIMIT;
	out[0] = '\0';
	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		const char *eq = p;
		while (*eq && *eq != '=' && *eq != ';')
			eq++;
		if (*eq != '=') {
			/* A pair without '=' is ignored (RFC 6265 5.2 step 2). */
			p = *eq ? eq + 1 : eq;
			continue;
		}
		const char *v = eq + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		const char *end = v;
		while (*end && *end != ';')
			end++;
		const char *vend = end;
		while (vend > v && (vend[-1] == ' ' || vend[-1] == '\t'))
			vend--;
		const char *kend = eq;
		while (kend > p && (kend[-1] == ' ' || kend[-1] == '\t'))
			kend--;
		if ((size_t)(kend - p) == nlen && memcmp(p, name, nlen) == 0) {
			if (found)
				return ERR_PROTO;
			for (const char *c = v; c < vend; c++) {
				if (!is_value_char((unsigned char)*c))
					return ERR_PROTO;
			}
			size_t len = (size_t)(vend - v);
			if (len >= cap)
				return ERR_LIMIT;
			memcpy(out, v, len);
			out[len] = '\0';
			found = 1;
		}
		p = *end ? end + 1 : end;
	}
	return found ? 0 : ERR_NOTFOUND;
}
