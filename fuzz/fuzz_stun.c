/* fuzz_stun.c - stun_parse on any bytes; what parses is verified and answered, and the
 * answer must itself parse and verify. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>

#include "rtc/stun.h"

static const char key[] = "VOkJxbRl1RmTxUk/WvJxBt"; /* RFC 5769's, so seeds verify */

/* Our own output failing our own parser is a bug, not bad input. */
static void check_answer(const uint8_t *out, int n, int with_integrity)
{
	struct stun_msg m;

	if (n < 0)
		abort();
	if (stun_parse(&m, out, (size_t)n) != 0 || stun_verify_fingerprint(&m, out) != 0)
		abort();
	if (with_integrity && stun_verify_integrity(&m, out, key, sizeof(key) - 1) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stun_msg m;
	uint8_t out[256];
	int n;

	(void)stun_is_message(data, size);
	if (stun_parse(&m, data, size) != 0)
		return 0;
	/* Neither may pass on an attribute the parser did not find. */
	if (stun_verify_integrity(&m, data, key, sizeof(key) - 1) == 0 && !m.integrity_off)
		abort();
	if (stun_verify_fingerprint(&m, data) == 0 && !m.fingerprint_off)
		abort();

	/* Answer as if it were a request, to the address it carried or a fixed one. */
	struct stun_msg req = m;
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(3478)};
	const struct sockaddr *from = (const struct sockaddr *)&sin;
	if (m.has_xor_mapped)
		from = (const struct sockaddr *)&m.xor_mapped;
	req.type = STUN_BINDING_REQUEST;
	n = stun_binding_response(out, sizeof(out), &req, from, key, sizeof(key) - 1);
	check_answer(out, n, 1);
	n = stun_binding_error(out, sizeof(out), &req, m.error_code ? m.error_code : 400, NULL);
	check_answer(out, n, 0);

	/* Echo the username back through the writer. */
	if (m.username) {
		static uint8_t big[1024];
		struct stun_writer w;
		stun_write_begin(&w, big, sizeof(big), STUN_BINDING_REQUEST, m.txid);
		stun_write_attr(&w, STUN_ATTR_USERNAME, m.username, m.username_len);
		stun_write_integrity(&w, key, sizeof(key) - 1);
		stun_write_fingerprint(&w);
		/* The parser caps USERNAME at 512 bytes, so this always fits. */
		if (stun_write_end(&w) != 0)
			abort();
		struct stun_msg e;
		check_answer(big, (int)w.len, 1);
		if (stun_parse(&e, big, w.len) != 0 || e.username_len != m.username_len ||
		    memcmp(e.username, m.username, m.username_len) != 0)
			abort();
	}
	return 0;
}
