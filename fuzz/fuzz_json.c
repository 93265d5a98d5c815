/* Fuzz target: signalling messages from clients (src/signal/json.c). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "signal/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msg m;
	const char *why = NULL;
	if (msg_parse(&m, (const char *)data, size, &why) == 0) {
		/* What the session reads from a parsed message must be in bounds. */
		volatile size_t n = strlen(m.meeting) + strlen(m.name);
		if (m.sdp)
			n += m.sdp[m.sdp_len - 1];
		(void)n;
		msg_free(&m);
	} else if (!why) {
		__builtin_trap(); /* every refusal says why */
	}
	return 0;
}
