/* err.h - kamer's error vocabulary: 0 is success, failures are negative. */
#ifndef KAMER_BASE_ERR_H
#define KAMER_BASE_ERR_H

enum {
	ERR_OK = 0,
	ERR_AGAIN = -1,    /* not enough input yet; call again with more */
	ERR_PROTO = -2,    /* input violates the protocol */
	ERR_LIMIT = -3,    /* a cap from limits.h was reached */
	ERR_NOMEM = -4,    /* allocation failed */
	ERR_NOTFOUND = -5, /* no such thing */
	ERR_AUTH = -6,     /* authentication or integrity check failed */
	ERR_IO = -7,       /* the operating system refused */
	ERR_BADSTATE = -8, /* not allowed in the current state */
	ERR_INVAL = -9,    /* bad argument from the caller */
	ERR_REPLAY = -10,  /* authentic, but seen before (SRTP/SRTCP replay protection) */
};

/* A short static string for an error code. */
const char *err_str(int err);

#define WARN_UNUSED __attribute__((warn_unused_result))

#endif
