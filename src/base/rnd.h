/* rnd.h - randomness from getrandom() and the identifiers made from it (S1). */
#ifndef KAMER_BASE_RND_H
#define KAMER_BASE_RND_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* Bytes of randomness in every identifier a client sees: 160 bits. */
#define RND_ID_BYTES 20
/* Characters in an identifier: lower-case RFC 4648 base32 without padding. */
#define RND_ID_CHARS 32

/* Fills buf with len bytes from getrandom(); retries on EINTR. 0 or ERR_IO. */
int rnd_bytes(void *buf, size_t len) WARN_UNUSED;

/* Writes a fresh identifier of RND_ID_CHARS characters and a NUL into out. */
int rnd_id(char out[RND_ID_CHARS + 1]) WARN_UNUSED;

/* A random string of n characters from [A-Za-z0-9+/] (ICE ufrag and pwd). */
int rnd_ice_string(char *out, size_t n) WARN_UNUSED;

/* A random nonzero 32-bit value (SSRCs). */
uint32_t rnd_u32(void);

/* 1 if s is shaped like an identifier from rnd_id(), else 0. */
int rnd_id_valid(const char *s, size_t len);

#endif
