/* cookie.h - reading one cookie from a Cookie header (RFC 6265 section 5.4). */
#ifndef KAMER_API_COOKIE_H
#define KAMER_API_COOKIE_H

#include <stddef.h>

#include "base/err.h"

/* Copies the value of the cookie called name into out (NUL-terminated). 0, ERR_NOTFOUND
   when absent, ERR_LIMIT when the value does not fit, ERR_PROTO when the header is
   malformed or names the cookie twice (an attacker's planted duplicate must not win). */
int cookie_get(const char *header, const char *name, char *out, size_t cap) WARN_UNUSED;

#endif
