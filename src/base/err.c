#include "base/err.h"

const char *err_str(int err)
{
	switch (err) {
	case ERR_OK: return "ok";
	case ERR_AGAIN: return "again";
	case ERR_PROTO: return "protocol violation";
	case ERR_LIMIT: return "limit reached";
	case ERR_NOMEM: return "out of memory";
	case ERR_NOTFOUND: return "not found";
	case ERR_AUTH: return "authentication failed";
	case ERR_IO: return "i/o error";
	case ERR_BADSTATE: return "wrong state";
	case ERR_INVAL: return "invalid argument";
	case ERR_REPLAY: return "replayed";
	}
	return "unknown error";
}
