/* assets.h - the web client's files, embedded at build time by scripts/embed.py. */
#ifndef KAMER_API_ASSETS_H
#define KAMER_API_ASSETS_H

#include <stddef.h>

struct asset {
	const char *path; /* "/app.js" */
	const char *type; /* Content-Type */
	const unsigned char *data;
	size_t len;
};

/* Terminated by an entry whose path is NULL. */
extern const struct asset assets[];

#endif
