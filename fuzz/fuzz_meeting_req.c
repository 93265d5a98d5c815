/* libFuzzer target for src/api/meeting_req.c (the body of POST/PATCH /api/v1/meetings). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/meeting_req.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct meeting_req m;
	const char *why = NULL;
	if (meeting_req_parse(&m, (const char *)data, size, &why) == 0) {
		if (strlen(m.title) > LIM_TITLE || m.ninvitees > LIM_INVITEES ||
		    m.nhosts > LIM_HOSTS)
			abort();
	} else if (!why) {
		abort();
	}
	return 0;
}
