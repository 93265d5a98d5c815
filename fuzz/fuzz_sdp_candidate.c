/* fuzz_sdp_candidate.c - sdp_find_candidate on any bytes; and for what sdp_parse accepts,
 * the client's answer (sdp_write_client_answer) must parse back with the same mids. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtc/sdp.h"
#include "rtc/sdp_client.h"

static const struct sdp_client_local local = {
    .ice_ufrag = "cliU",
    .ice_pwd = "Zm9vYmFyYmF6cXV4cXV1eDEy",
    .fingerprint = "06:EE:91:06:55:FC:05:73:67:E8:A5:CA:6F:7B:5B:FD:E1:7C:16:2A:52:38:23:01:"
                   "6D:91:FD:70:C6:89:50:CE",
    .cname = "load-0-0",
    .stream_id = "load-0-0",
    .cand_addr = "192.0.2.9",
    .cand_port = 40000,
    .session_id = 1,
};

static struct sdp offer, back;
static char out[8 * LIM_SDP_LEN];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_storage ss;
	int rc = sdp_find_candidate((const char *)data, size, &ss);
	if (rc == 0) {
		uint16_t port = ss.ss_family == AF_INET
		                    ? ntohs(((struct sockaddr_in *)&ss)->sin_port)
		                    : ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
		if ((ss.ss_family != AF_INET && ss.ss_family != AF_INET6) || port == 0)
			abort();
	} else if (rc != ERR_NOTFOUND && rc != ERR_LIMIT) {
		abort();
	}
	if (sdp_parse(&offer, (const char *)data, size, NULL) != 0)
		return 0;
	int n = sdp_write_client_answer(out, sizeof(out), &offer, &local);
	if (n < 0)
		return 0;
	if ((size_t)n != strlen(out))
		abort();
	if ((size_t)n > LIM_SDP_LEN)
		return 0;
	if (sdp_parse(&back, out, (size_t)n, NULL) != 0 || back.nmedia != offer.nmedia)
		abort();
	for (size_t i = 0; i < offer.nmedia; i++) {
		if (strcmp(back.media[i].mid, offer.media[i].mid) != 0)
			abort();
	}
	return 0;
}
