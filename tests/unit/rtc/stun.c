/* Tests for src/rtc/stun.c: the RFC 5769 vectors, Chromium's packets from the fixtures,
 * the writer against the vectors, round trips, and malformed or tampered input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "base/bytes.h"
#include "rtc/stun.h"

/* RFC 5769 2.1-2.3: the short-term password shared by the first three vectors. */
static const char rfc_pwd[] = "VOkJxbRl1RmTxUk/WvJxBt";

static const uint8_t rfc_txid[12] = {0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
                                     0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};

/* clang-format off */
/* RFC 5769 2.1 Sample Request. */
static const uint8_t rfc_req[] = {
	0x00, 0x01, 0x00, 0x58,  /* Binding request, length 88 */
	0x21, 0x12, 0xa4, 0x42,  /* magic cookie */
	0xb7, 0xe7, 0xa7, 0x01,  /* transaction ID */
	0xbc, 0x34, 0xd6, 0x86,
	0xfa, 0x87, 0xdf, 0xae,
	0x80, 0x22, 0x00, 0x10,  /* SOFTWARE "STUN test client" */
	0x53, 0x54, 0x55, 0x4e,
	0x20, 0x74, 0x65, 0x73,
	0x74, 0x20, 0x63, 0x6c,
	0x69, 0x65, 0x6e, 0x74,
	0x00, 0x24, 0x00, 0x04,  /* PRIORITY */
	0x6e, 0x00, 0x01, 0xff,
	0x80, 0x29, 0x00, 0x08,  /* ICE-CONTROLLED tie-breaker */
	0x93, 0x2f, 0xf9, 0xb1,
	0x51, 0x26, 0x3b, 0x36,
	0x00, 0x06, 0x00, 0x09,  /* USERNAME "evtj:h6vY", padded with spaces */
	0x65, 0x76, 0x74, 0x6a,
	0x3a, 0x68, 0x36, 0x76,
	0x59, 0x20, 0x20, 0x20,
	0x00, 0x08, 0x00, 0x14,  /* MESSAGE-INTEGRITY */
	0x9a, 0xea, 0xa7, 0x0c,
	0xbf, 0xd8, 0xcb, 0x56,
	0x78, 0x1e, 0xf2, 0xb5,
	0xb2, 0xd3, 0xf2, 0x49,
	0xc1, 0xb5, 0x71, 0xa2,
	0x80, 0x28, 0x00, 0x04,  /* FINGERPRINT */
	0xe5, 0x7a, 0x3b, 0xcf,
};

/* RFC 5769 2.2 Sample IPv4 Response. */
static const uint8_t rfc_resp4[] = {
	0x01, 0x01, 0x00, 0x3c,  /* Binding success, length 60 */
	0x21, 0x12, 0xa4, 0x42,  /* magic cookie */
	0xb7, 0xe7, 0xa7, 0x01,  /* transaction ID */
	0xbc, 0x34, 0xd6, 0x86,
	0xfa, 0x87, 0xdf, 0xae,
	0x80, 0x22, 0x00, 0x0b,  /* SOFTWARE "test vector", padded with a space */
	0x74, 0x65, 0x73, 0x74,
	0x20, 0x76, 0x65, 0x63,
	0x74, 0x6f, 0x72, 0x20,
	0x00, 0x20, 0x00, 0x08,  /* XOR-MAPPED-ADDRESS 192.0.2.1:32853 */
	0x00, 0x01, 0xa1, 0x47,
	0xe1, 0x12, 0xa6, 0x43,
	0x00, 0x08, 0x00, 0x14,  /* MESSAGE-INTEGRITY */
	0x2b, 0x91, 0xf5, 0x99,
	0xfd, 0x9e, 0x90, 0xc3,
	0x8c, 0x74, 0x89, 0xf9,
	0x2a, 0xf9, 0xba, 0x53,
	0xf0, 0x6b, 0xe7, 0xd7,
	0x80, 0x28, 0x00, 0x04,  /* FINGERPRINT */
	0xc0, 0x7d, 0x4c, 0x96,
};

/* RFC 5769 2.3 Sample IPv6 Response. */
static const uint8_t rfc_resp6[] = {
	0x01, 0x01, 0x00, 0x48,  /* Binding success, length 72 */
	0x21, 0x12, 0xa4, 0x42,  /* magic cookie */
	0xb7, 0xe7, 0xa7, 0x01,  /* transaction ID */
	0xbc, 0x34, 0xd6, 0x86,
	0xfa, 0x87, 0xdf, 0xae,
	0x80, 0x22, 0x00, 0x0b,  /* SOFTWARE "test vector", padded with a space */
	0x74, 0x65, 0x73, 0x74,
	0x20, 0x76, 0x65, 0x63,
	0x74, 0x6f, 0x72, 0x20,
	0x00, 0x20, 0x00, 0x14,  /* XOR-MAPPED-ADDRESS, port 32853 */
	0x00, 0x02, 0xa1, 0x47,
	0x01, 0x13, 0xa9, 0xfa,  /* 2001:db8:1234:5678:11:2233:4455:6677 */
	0xa5, 0xd3, 0xf1, 0x79,
	0xbc, 0x25, 0xf4, 0xb5,
	0xbe, 0xd2, 0xb9, 0xd9,
	0x00, 0x08, 0x00, 0x14,  /* MESSAGE-INTEGRITY */
	0xa3, 0x82, 0x95, 0x4e,
	0x4b, 0xe6, 0x7b, 0xf1,
	0x17, 0x84, 0xc9, 0x7c,
	0x82, 0x92, 0xc2, 0x75,
	0xbf, 0xe3, 0xed, 0x41,
	0x80, 0x28, 0x00, 0x04,  /* FINGERPRINT */
	0xc8, 0xfb, 0x0b, 0x4c,
};

/* RFC 5769 2.4 Sample Request with Long-Term Authentication (no FINGERPRINT). */
static const uint8_t rfc_ltc[] = {
	0x00, 0x01, 0x00, 0x60,  /* Binding request, length 96 */
	0x21, 0x12, 0xa4, 0x42,  /* magic cookie */
	0x78, 0xad, 0x34, 0x33,  /* transaction ID */
	0xc6, 0xad, 0x72, 0xc0,
	0x29, 0xda, 0x41, 0x2e,
	0x00, 0x06, 0x00, 0x12,  /* USERNAME, 18 bytes of UTF-8 */
	0xe3, 0x83, 0x9e, 0xe3,
	0x83, 0x88, 0xe3, 0x83,
	0xaa, 0xe3, 0x83, 0x83,
	0xe3, 0x82, 0xaf, 0xe3,
	0x82, 0xb9, 0x00, 0x00,
	0x00, 0x15, 0x00, 0x1c,  /* NONCE "f//499k954d6OL34oL9FSTvy64sA" */
	0x66, 0x2f, 0x2f, 0x34,
	0x39, 0x39, 0x6b, 0x39,
	0x35, 0x34, 0x64, 0x36,
	0x4f, 0x4c, 0x33, 0x34,
	0x6f, 0x4c, 0x39, 0x46,
	0x53, 0x54, 0x76, 0x79,
	0x36, 0x34, 0x73, 0x41,
	0x00, 0x14, 0x00, 0x0b,  /* REALM "example.org" */
	0x65, 0x78, 0x61, 0x6d,
	0x70, 0x6c, 0x65, 0x2e,
	0x6f, 0x72, 0x67, 0x00,
	0x00, 0x08, 0x00, 0x14,  /* MESSAGE-INTEGRITY */
	0xf6, 0x70, 0x24, 0x65,
	0x6d, 0xd6, 0x4a, 0x3e,
	0x02, 0xb8, 0xe0, 0x71,
	0x2e, 0x85, 0xc9, 0xa2,
	0x8c, 0xa8, 0x96, 0x66,
};

static const uint8_t ltc_user[] = {0xe3, 0x83, 0x9e, 0xe3, 0x83, 0x88, 0xe3, 0x83, 0xaa,
                                   0xe3, 0x83, 0x83, 0xe3, 0x82, 0xaf, 0xe3, 0x82, 0xb9};
/* clang-format on */

static const struct {
	const char *name;
	const uint8_t *p;
	size_t len;
} vectors[] = {
    {"rfc5769-2.1", rfc_req, sizeof(rfc_req)},
    {"rfc5769-2.2", rfc_resp4, sizeof(rfc_resp4)},
    {"rfc5769-2.3", rfc_resp6, sizeof(rfc_resp6)},
    {"rfc5769-2.4", rfc_ltc, sizeof(rfc_ltc)},
};
#define NVECTORS (sizeof(vectors) / sizeof(vectors[0]))

/* The Chromium packets from $KAMER_FIXTURES/packets/stun, loaded once. */
#define MAX_FIXTURES 64
static struct {
	char name[256];
	uint8_t p[1500];
	size_t len;
} fx[MAX_FIXTURES];
static size_t nfx;

static int load_fixtures(void **state)
{
	(void)state;
	const char *root = getenv("KAMER_FIXTURES");
	char dir[1024], path[1400];
	if (!root) {
		fprintf(stderr, "KAMER_FIXTURES is not set\n");
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s/packets/stun", root);
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "cannot open %s\n", dir);
		return -1;
	}
	struct dirent *e;
	while ((e = readdir(d)) && nfx < MAX_FIXTURES) {
		size_t n = strlen(e->d_name);
		if (n < 5 || n >= sizeof(fx[0].name) || strcmp(e->d_name + n - 4, ".bin"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		FILE *f = fopen(path, "rb");
		if (!f)
			continue;
		fx[nfx].len = fread(fx[nfx].p, 1, sizeof(fx[nfx].p), f);
		fclose(f);
		memcpy(fx[nfx].name, e->d_name, n + 1);
		nfx++;
	}
	closedir(d);
	return 0;
}

static struct sockaddr_in v4(const char *ip, uint16_t port)
{
	struct sockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	assert_int_equal(inet_pton(AF_INET, ip, &a.sin_addr), 1);
	return a;
}

static struct sockaddr_in6 v6(const char *ip, uint16_t port)
{
	struct sockaddr_in6 a;
	memset(&a, 0, sizeof(a));
	a.sin6_family = AF_INET6;
	a.sin6_port = htons(port);
	assert_int_equal(inet_pton(AF_INET6, ip, &a.sin6_addr), 1);
	return a;
}

static void assert_v4(const struct sockaddr_storage *ss, const char *ip, uint16_t port)
{
	struct sockaddr_in want = v4(ip, port);
	const struct sockaddr_in *got = (const struct sockaddr_in *)ss;
	assert_int_equal(got->sin_family, AF_INET);
	assert_int_equal(ntohs(got->sin_port), port);
	assert_memory_equal(&got->sin_addr, &want.sin_addr, 4);
}

static void assert_v6(const struct sockaddr_storage *ss, const char *ip, uint16_t port)
{
	struct sockaddr_in6 want = v6(ip, port);
	const struct sockaddr_in6 *got = (const struct sockaddr_in6 *)ss;
	assert_int_equal(got->sin6_family, AF_INET6);
	assert_int_equal(ntohs(got->sin6_port), port);
	assert_memory_equal(&got->sin6_addr, &want.sin6_addr, 16);
}

static void ltc_key(uint8_t key[16])
{
	uint8_t s[64];
	size_t n = 0;
	unsigned len = 0;
	memcpy(s, ltc_user, sizeof(ltc_user));
	n += sizeof(ltc_user);
	memcpy(s + n, ":example.org:TheMatrIX", 22);
	n += 22;
	assert_int_equal(EVP_Digest(s, n, key, &len, EVP_md5(), NULL), 1);
	assert_int_equal(len, 16);
}

/* The length of what a writer built, which must have fit. */
static size_t finish(struct stun_writer *w)
{
	assert_int_equal(stun_write_end(w), 0);
	return w->len;
}

static void test_is_message(void **state)
{
	(void)state;
	uint8_t b[128];
	for (size_t i = 0; i < NVECTORS; i++)
		assert_int_equal(stun_is_message(vectors[i].p, vectors[i].len), 1);

	memcpy(b, rfc_req, sizeof(rfc_req));
	assert_int_equal(stun_is_message(b, 19), 0);
	assert_int_equal(stun_is_message(b, 20), 0); /* length field says 88 more */
	assert_int_equal(stun_is_message(b, sizeof(rfc_req) - 1), 0);
	b[0] = 0x03; /* RFC 7983: 0..3 is STUN */
	assert_int_equal(stun_is_message(b, sizeof(rfc_req)), 1);
	b[0] = 0x04;
	assert_int_equal(stun_is_message(b, sizeof(rfc_req)), 0);
	b[0] = 22; /* DTLS handshake */
	assert_int_equal(stun_is_message(b, sizeof(rfc_req)), 0);
	b[0] = 0x80; /* RTP */
	assert_int_equal(stun_is_message(b, sizeof(rfc_req)), 0);
	memcpy(b, rfc_req, sizeof(rfc_req));
	b[7] ^= 0x01; /* cookie */
	assert_int_equal(stun_is_message(b, sizeof(rfc_req)), 0);
}

static void test_rfc5769_request(void **state)
{
	(void)state;
	struct stun_msg m;
	assert_int_equal(stun_parse(&m, rfc_req, sizeof(rfc_req)), 0);
	assert_int_equal(m.type, STUN_BINDING_REQUEST);
	assert_int_equal(m.length, 0x58);
	assert_memory_equal(m.txid, rfc_txid, 12);
	assert_non_null(m.username);
	assert_int_equal(m.username_len, 9);
	assert_memory_equal(m.username, "evtj:h6vY", 9);
	assert_ptr_equal(m.username, rfc_req + 64); /* zero-copy */
	assert_true(m.has_priority);
	assert_int_equal(m.priority, 0x6e0001ff);
	assert_true(m.has_controlled);
	assert_false(m.has_controlling);
	assert_true(m.tiebreaker == 0x932ff9b151263b36ull);
	assert_false(m.use_candidate);
	assert_false(m.has_xor_mapped);
	assert_int_equal(m.error_code, 0);
	assert_int_equal(m.unknown_required, 0); /* SOFTWARE is comprehension-optional */
	assert_int_equal(m.integrity_off, 76);
	assert_int_equal(m.fingerprint_off, 100);
	assert_int_equal(stun_verify_integrity(&m, rfc_req, rfc_pwd, strlen(rfc_pwd)), 0);
	assert_int_equal(stun_verify_fingerprint(&m, rfc_req), 0);
}

static void test_rfc5769_ipv4_response(void **state)
{
	(void)state;
	struct stun_msg m;
	assert_int_equal(stun_parse(&m, rfc_resp4, sizeof(rfc_resp4)), 0);
	assert_int_equal(m.type, STUN_BINDING_SUCCESS);
	assert_memory_equal(m.txid, rfc_txid, 12);
	assert_true(m.has_xor_mapped);
	assert_v4(&m.xor_mapped, "192.0.2.1", 32853);
	assert_null(m.username);
	assert_false(m.has_priority);
	assert_int_equal(m.integrity_off, 48);
	assert_int_equal(m.fingerprint_off, 72);
	assert_int_equal(stun_verify_integrity(&m, rfc_resp4, rfc_pwd, strlen(rfc_pwd)), 0);
	assert_int_equal(stun_verify_fingerprint(&m, rfc_resp4), 0);
}

static void test_rfc5769_ipv6_response(void **state)
{
	(void)state;
	struct stun_msg m;
	assert_int_equal(stun_parse(&m, rfc_resp6, sizeof(rfc_resp6)), 0);
	assert_int_equal(m.type, STUN_BINDING_SUCCESS);
	assert_true(m.has_xor_mapped);
	assert_v6(&m.xor_mapped, "2001:db8:1234:5678:11:2233:4455:6677", 32853);
	assert_int_equal(m.integrity_off, 60);
	assert_int_equal(m.fingerprint_off, 84);
	assert_int_equal(stun_verify_integrity(&m, rfc_resp6, rfc_pwd, strlen(rfc_pwd)), 0);
	assert_int_equal(stun_verify_fingerprint(&m, rfc_resp6), 0);
}

static void test_rfc5769_long_term(void **state)
{
	(void)state;
	struct stun_msg m;
	uint8_t key[16];
	ltc_key(key);
	assert_int_equal(stun_parse(&m, rfc_ltc, sizeof(rfc_ltc)), 0);
	assert_int_equal(m.type, STUN_BINDING_REQUEST);
	assert_int_equal(m.length, 0x60);
	assert_int_equal(m.username_len, sizeof(ltc_user));
	assert_memory_equal(m.username, ltc_user, sizeof(ltc_user));
	assert_int_equal(m.unknown_required, 0); /* NONCE and REALM are known */
	assert_int_equal(m.integrity_off, 92);
	assert_int_equal(m.fingerprint_off, 0);
	assert_int_equal(stun_verify_integrity(&m, rfc_ltc, key, sizeof(key)), 0);
	/* The password alone is the short-term key, not this one. */
	assert_int_equal(stun_verify_integrity(&m, rfc_ltc, "TheMatrIX", 9), ERR_AUTH);
	assert_int_equal(stun_verify_fingerprint(&m, rfc_ltc), ERR_AUTH); /* absent */
}

/* The writer rebuilds the vectors bit for bit; the vectors pad with spaces, we with zeros,
   so the test patches the padding before the integrity is computed. */
static void test_writer_reproduces_rfc5769(void **state)
{
	(void)state;
	uint8_t b[256];
	struct stun_writer w;
	uint8_t prio[4], tie[8];
	wr32(prio, 0x6e0001ff);
	wr64(tie, 0x932ff9b151263b36ull);

	stun_write_begin(&w, b, sizeof(b), STUN_BINDING_REQUEST, rfc_txid);
	stun_write_attr(&w, STUN_ATTR_SOFTWARE, "STUN test client", 16);
	stun_write_attr(&w, STUN_ATTR_PRIORITY, prio, 4);
	stun_write_attr(&w, STUN_ATTR_ICE_CONTROLLED, tie, 8);
	stun_write_attr(&w, STUN_ATTR_USERNAME, "evtj:h6vY", 9);
	assert_int_equal(w.err, 0);
	assert_memory_equal(b + w.len - 3, "\0\0\0", 3);
	memset(b + w.len - 3, 0x20, 3);
	stun_write_integrity(&w, rfc_pwd, strlen(rfc_pwd));
	stun_write_fingerprint(&w);
	assert_int_equal(stun_write_end(&w), 0);
	assert_int_equal(w.len, sizeof(rfc_req));
	assert_memory_equal(b, rfc_req, sizeof(rfc_req));

	struct sockaddr_in a4 = v4("192.0.2.1", 32853);
	stun_write_begin(&w, b, sizeof(b), STUN_BINDING_SUCCESS, rfc_txid);
	stun_write_attr(&w, STUN_ATTR_SOFTWARE, "test vector", 11);
	b[w.len - 1] = 0x20;
	stun_write_xor_addr(&w, STUN_ATTR_XOR_MAPPED_ADDRESS, (struct sockaddr *)&a4);
	stun_write_integrity(&w, rfc_pwd, strlen(rfc_pwd));
	stun_write_fingerprint(&w);
	assert_int_equal(stun_write_end(&w), 0);
	assert_int_equal(w.len, sizeof(rfc_resp4));
	assert_memory_equal(b, rfc_resp4, sizeof(rfc_resp4));

	struct sockaddr_in6 a6 = v6("2001:db8:1234:5678:11:2233:4455:6677", 32853);
	stun_write_begin(&w, b, sizeof(b), STUN_BINDING_SUCCESS, rfc_txid);
	stun_write_attr(&w, STUN_ATTR_SOFTWARE, "test vector", 11);
	b[w.len - 1] = 0x20;
	stun_write_xor_addr(&w, STUN_ATTR_XOR_MAPPED_ADDRESS, (struct sockaddr *)&a6);
	stun_write_integrity(&w, rfc_pwd, strlen(rfc_pwd));
	stun_write_fingerprint(&w);
	assert_int_equal(stun_write_end(&w), 0);
	assert_int_equal(w.len, sizeof(rfc_resp6));
	assert_memory_equal(b, rfc_resp6, sizeof(rfc_resp6));

	/* 2.4 has no FINGERPRINT and needs no padding patch. */
	uint8_t key[16];
	ltc_key(key);
	stun_write_begin(&w, b, sizeof(b), STUN_BINDING_REQUEST, rfc_ltc + 8);
	stun_write_attr(&w, STUN_ATTR_USERNAME, ltc_user, sizeof(ltc_user));
	stun_write_attr(&w, STUN_ATTR_NONCE, "f//499k954d6OL34oL9FSTvy64sA", 28);
	stun_write_attr(&w, STUN_ATTR_REALM, "example.org", 11);
	stun_write_integrity(&w, key, sizeof(key));
	assert_int_equal(stun_write_end(&w), 0);
	assert_int_equal(w.len, sizeof(rfc_ltc));
	assert_memory_equal(b, rfc_ltc, sizeof(rfc_ltc));
}

static int has_token(const char *name, const char *tok)
{
	return strstr(name, tok) != NULL;
}

static void test_fixtures(void **state)
{
	(void)state;
	size_t requests = 0, responses = 0;
	assert_true(nfx >= 8); /* the README promises two of each kind, four kinds */
	for (size_t i = 0; i < nfx; i++) {
		struct stun_msg m;
		const uint8_t *p = fx[i].p;
		size_t len = fx[i].len;
		unsigned type = (unsigned)strtoul(fx[i].name, NULL, 16);

		assert_int_equal(stun_is_message(p, len), 1);
		if (stun_parse(&m, p, len) != 0)
			fail_msg("%s does not parse", fx[i].name);
		assert_int_equal(m.type, type);
		if (stun_verify_fingerprint(&m, p) != 0)
			fail_msg("%s: fingerprint", fx[i].name);
		assert_int_equal(m.fingerprint_off, len - 8);
		assert_true(m.integrity_off > 0);
		assert_int_equal(m.integrity_off, len - 8 - 24);
		/* The ice-pwd was not kept, so only a wrong key can be checked. */
		assert_int_equal(stun_verify_integrity(&m, p, "not the ice-pwd", 15), ERR_AUTH);
		assert_int_equal(m.unknown_required, 0); /* 0xc057 is comprehension-optional */
		if (type == STUN_BINDING_REQUEST) {
			requests++;
			assert_non_null(m.username);
			assert_int_equal(m.username_len, 9); /* ufrag:ufrag, 4 + 1 + 4 */
			assert_int_equal(m.username[4], ':');
			assert_true(m.has_priority);
			assert_int_equal(m.priority >> 24, 0x6e); /* host candidate type pref 110 */
			assert_int_equal(m.has_controlling, has_token(fx[i].name, "802a"));
			assert_int_equal(m.has_controlled, has_token(fx[i].name, "8029"));
			assert_int_equal(m.use_candidate, has_token(fx[i].name, "0025"));
			assert_false(m.has_xor_mapped);
		} else {
			assert_int_equal(type, STUN_BINDING_SUCCESS);
			responses++;
			assert_true(m.has_xor_mapped);
			assert_int_equal(m.xor_mapped.ss_family, AF_INET);
			assert_null(m.username);
		}
	}
	assert_true(requests > 0);
	assert_true(responses > 0);
}

/* Chromium's responses echo the request's txid; answering a fixture request gives a
   message that Chromium's own parser shape agrees with. */
static void round_trip(const struct sockaddr *from, size_t want_len)
{
	struct stun_msg req, m;
	uint8_t out[256];
	const char pwd[] = "local-ice-pwd-0123456789";

	assert_int_equal(stun_parse(&req, rfc_req, sizeof(rfc_req)), 0);
	int n = stun_binding_response(out, sizeof(out), &req, from, pwd, strlen(pwd));
	assert_int_equal(n, (int)want_len);
	assert_int_equal(stun_is_message(out, (size_t)n), 1);
	assert_int_equal(stun_parse(&m, out, (size_t)n), 0);
	assert_int_equal(m.type, STUN_BINDING_SUCCESS);
	assert_int_equal(m.length, n - 20);
	assert_memory_equal(m.txid, rfc_txid, 12);
	assert_true(m.has_xor_mapped);
	assert_int_equal(m.integrity_off, (size_t)n - 32);
	assert_int_equal(m.fingerprint_off, (size_t)n - 8);
	assert_int_equal(m.unknown_required, 0);
	assert_int_equal(stun_verify_integrity(&m, out, pwd, strlen(pwd)), 0);
	assert_int_equal(stun_verify_fingerprint(&m, out), 0);
	assert_int_equal(stun_verify_integrity(&m, out, rfc_pwd, strlen(rfc_pwd)), ERR_AUTH);
	if (from->sa_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)from;
		const struct sockaddr_in *b = (const struct sockaddr_in *)&m.xor_mapped;
		assert_int_equal(b->sin_family, AF_INET);
		assert_int_equal(b->sin_port, a->sin_port);
		assert_int_equal(b->sin_addr.s_addr, a->sin_addr.s_addr);
	} else {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)from;
		const struct sockaddr_in6 *b = (const struct sockaddr_in6 *)&m.xor_mapped;
		assert_int_equal(b->sin6_family, AF_INET6);
		assert_int_equal(b->sin6_port, a->sin6_port);
		assert_memory_equal(&b->sin6_addr, &a->sin6_addr, 16);
	}
}

static void test_round_trip(void **state)
{
	(void)state;
	struct sockaddr_in a4 = v4("203.0.113.7", 54321);
	struct sockaddr_in6 a6 = v6("2001:db8::1:2:3", 443);
	round_trip((struct sockaddr *)&a4, 64);
	round_trip((struct sockaddr *)&a6, 76);

	/* Answering each fixture request with its own txid. */
	for (size_t i = 0; i < nfx; i++) {
		struct stun_msg req, m;
		uint8_t out[128];
		if (stun_parse(&req, fx[i].p, fx[i].len) || req.type != STUN_BINDING_REQUEST)
			continue;
		int n =
		    stun_binding_response(out, sizeof(out), &req, (struct sockaddr *)&a4, "pwd", 3);
		assert_int_equal(n, 64);
		assert_int_equal(stun_parse(&m, out, (size_t)n), 0);
		assert_memory_equal(m.txid, fx[i].p + 8, 12);
		assert_int_equal(stun_verify_integrity(&m, out, "pwd", 3), 0);
		assert_int_equal(stun_verify_fingerprint(&m, out), 0);
	}
}

static void test_binding_error(void **state)
{
	(void)state;
	struct stun_msg req, m;
	uint8_t out[1024];
	assert_int_equal(stun_parse(&req, rfc_req, sizeof(rfc_req)), 0);

	static const int codes[] = {400, 401, 420, 487, 500};
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		int n = stun_binding_error(out, sizeof(out), &req, codes[i], NULL);
		assert_true(n > 0);
		assert_int_equal(stun_parse(&m, out, (size_t)n), 0);
		assert_int_equal(m.type, STUN_BINDING_ERROR);
		assert_memory_equal(m.txid, rfc_txid, 12);
		assert_int_equal(m.error_code, codes[i]);
		assert_int_equal(m.integrity_off, 0);
		assert_int_equal(stun_verify_fingerprint(&m, out), 0);
		assert_int_equal(stun_verify_integrity(&m, out, rfc_pwd, strlen(rfc_pwd)),
		                 ERR_AUTH);
	}

	/* 401 "Unauthorized": 20 header + 4 attr header + 4 + 12 reason + 8 FINGERPRINT. */
	int n = stun_binding_error(out, sizeof(out), &req, 401, NULL);
	assert_int_equal(n, 48);
	assert_memory_equal(out + 20, "\x00\x09\x00\x10\x00\x00\x04\x01Unauthorized", 20);

	n = stun_binding_error(out, sizeof(out), &req, 487, "Role Conflict");
	assert_true(n > 0);
	assert_int_equal(stun_parse(&m, out, (size_t)n), 0);
	assert_int_equal(m.error_code, 487);

	assert_int_equal(stun_binding_error(out, sizeof(out), &req, 299, NULL), ERR_INVAL);
	assert_int_equal(stun_binding_error(out, sizeof(out), &req, 700, NULL), ERR_INVAL);
	char longr[200];
	memset(longr, 'x', sizeof(longr) - 1);
	longr[sizeof(longr) - 1] = 0;
	assert_int_equal(stun_binding_error(out, sizeof(out), &req, 400, longr), ERR_INVAL);
	longr[127] = 0; /* 127 characters is the most allowed */
	assert_true(stun_binding_error(out, sizeof(out), &req, 400, longr) > 0);
	assert_int_equal(stun_binding_error(out, 47, &req, 401, NULL), ERR_LIMIT);

	struct stun_msg resp;
	assert_int_equal(stun_parse(&resp, rfc_resp4, sizeof(rfc_resp4)), 0);
	assert_int_equal(stun_binding_error(out, sizeof(out), &resp, 400, NULL), ERR_INVAL);
}

/* Offsets where an attribute starts or the message ends, found without the parser. */
static int is_boundary(const uint8_t *p, size_t len, size_t at)
{
	size_t off = 20;
	while (off < len) {
		if (off == at)
			return 1;
		off += 4 + ((rd16(p + off + 2) + 3u) & ~3u);
	}
	return off == at;
}

static void truncations(const char *name, const uint8_t *p, size_t len)
{
	uint8_t b[1500];
	struct stun_msg m;
	assert_true(len <= sizeof(b));
	for (size_t n = 0; n < len; n++) {
		/* As received: the length field now disagrees with the datagram. */
		memcpy(b, p, n);
		if (stun_parse(&m, b, n) != ERR_PROTO)
			fail_msg("%s truncated to %zu parsed", name, n);
		if (n < 20) {
			assert_int_equal(stun_is_message(b, n), 0);
			continue;
		}
		assert_int_equal(stun_is_message(b, n), 0);
		/* With the length field fixed up: only whole attributes may parse. */
		wr16(b + 2, (uint16_t)(n - 20));
		int want = (n % 4 == 0 && is_boundary(p, len, n)) ? 0 : ERR_PROTO;
		int got = stun_parse(&m, b, n);
		if (got != want)
			fail_msg("%s cut to %zu: got %d want %d", name, n, got, want);
		if (got == 0) {
			/* The FINGERPRINT went with the tail, and with it MESSAGE-INTEGRITY
			   unless that survived whole. */
			assert_int_equal(stun_verify_fingerprint(&m, b), ERR_AUTH);
		}
	}
}

static void test_truncated(void **state)
{
	(void)state;
	for (size_t i = 0; i < NVECTORS; i++)
		truncations(vectors[i].name, vectors[i].p, vectors[i].len);
	for (size_t i = 0; i < nfx; i++)
		truncations(fx[i].name, fx[i].p, fx[i].len);
}

static void test_bad_header(void **state)
{
	(void)state;
	uint8_t b[sizeof(rfc_req) + 8];
	struct stun_msg m;

	memcpy(b, rfc_req, sizeof(rfc_req));
	b[4] = 0x21 ^ 0x80; /* wrong magic cookie (RFC 5389 6) */
	assert_int_equal(stun_parse(&m, b, sizeof(rfc_req)), ERR_PROTO);
	memcpy(b, rfc_req, sizeof(rfc_req));
	wr32(b + 4, 0);
	assert_int_equal(stun_parse(&m, b, sizeof(rfc_req)), ERR_PROTO);

	memcpy(b, rfc_req, sizeof(rfc_req));
	b[0] |= 0x40; /* top bits of the type must be zero */
	assert_int_equal(stun_parse(&m, b, sizeof(rfc_req)), ERR_PROTO);

	/* Length field larger, smaller, unaligned. */
	memcpy(b, rfc_req, sizeof(rfc_req));
	wr16(b + 2, 0x5c);
	assert_int_equal(stun_parse(&m, b, sizeof(rfc_req)), ERR_PROTO);
	wr16(b + 2, 0x54);
	assert_int_equal(stun_parse(&m, b, sizeof(rfc_req)), ERR_PROTO);
	wr16(b + 2, 0xffff);
	assert_int_equal(stun_parse(&m, b, sizeof(rfc_req)), ERR_PROTO);
	wr16(b + 2, 0);
	assert_int_equal(stun_parse(&m, b, sizeof(rfc_req)), ERR_PROTO);
	/* Unaligned but consistent with the datagram: 2 stray bytes at the end. */
	memcpy(b, rfc_req, sizeof(rfc_req));
	b[sizeof(rfc_req)] = 0;
	b[sizeof(rfc_req) + 1] = 0;
	wr16(b + 2, 0x5a);
	assert_int_equal(stun_parse(&m, b, sizeof(rfc_req) + 2), ERR_PROTO);
	/* Only a header is fine. */
	memcpy(b, rfc_req, 20);
	wr16(b + 2, 0);
	assert_int_equal(stun_parse(&m, b, 20), 0);
	assert_null(m.username);
	assert_int_equal(m.integrity_off, 0);
	assert_int_equal(stun_verify_integrity(&m, b, rfc_pwd, strlen(rfc_pwd)), ERR_AUTH);
}

static void test_attr_overrun(void **state)
{
	(void)state;
	uint8_t b[sizeof(rfc_req)];
	struct stun_msg m;

	memcpy(b, rfc_req, sizeof(rfc_req));
	wr16(b + 62, 0x0100); /* USERNAME claims 256 bytes */
	assert_int_equal(stun_parse(&m, b, sizeof(b)), ERR_PROTO);
	memcpy(b, rfc_req, sizeof(rfc_req));
	wr16(b + 102, 0x0005); /* FINGERPRINT value 5 bytes, padded past the end */
	assert_int_equal(stun_parse(&m, b, sizeof(b)), ERR_PROTO);
	memcpy(b, rfc_req, sizeof(rfc_req));
	wr16(b + 22, 0xfffc); /* SOFTWARE claims 65532 */
	assert_int_equal(stun_parse(&m, b, sizeof(b)), ERR_PROTO);
	memcpy(b, rfc_req, sizeof(rfc_req));
	wr16(b + 22, 0x0059); /* SOFTWARE claims 89: 4 + 92 = 96 > 88 */
	assert_int_equal(stun_parse(&m, b, sizeof(b)), ERR_PROTO);
	memcpy(b, rfc_req, sizeof(rfc_req));
	wr16(b + 22, 0x0054); /* SOFTWARE swallows the rest exactly: still parses */
	assert_int_equal(stun_parse(&m, b, sizeof(b)), 0);
	assert_null(m.username);
	assert_int_equal(m.fingerprint_off, 0);
}

static void test_integrity_tamper(void **state)
{
	(void)state;
	uint8_t b[sizeof(rfc_req)];
	struct stun_msg m;

	/* Every bit of the HMAC. */
	for (size_t bit = 0; bit < 160; bit++) {
		memcpy(b, rfc_req, sizeof(rfc_req));
		b[80 + bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_int_equal(stun_parse(&m, b, sizeof(b)), 0);
		assert_int_equal(stun_verify_integrity(&m, b, rfc_pwd, strlen(rfc_pwd)), ERR_AUTH);
	}
	/* Every bit of what it covers, header included (except bits the parser refuses). */
	for (size_t bit = 0; bit < 76 * 8; bit++) {
		memcpy(b, rfc_req, sizeof(rfc_req));
		b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		if (stun_parse(&m, b, sizeof(b)) != 0 || m.integrity_off != 76)
			continue;
		if (stun_verify_integrity(&m, b, rfc_pwd, strlen(rfc_pwd)) != ERR_AUTH)
			fail_msg("flipping bit %zu kept the integrity", bit);
		assert_int_equal(stun_verify_fingerprint(&m, b), ERR_AUTH);
	}
	/* Padding is covered too: a byte of USERNAME's padding. */
	memcpy(b, rfc_req, sizeof(rfc_req));
	b[75] = 0;
	assert_int_equal(stun_parse(&m, b, sizeof(b)), 0);
	assert_int_equal(stun_verify_integrity(&m, b, rfc_pwd, strlen(rfc_pwd)), ERR_AUTH);

	/* Wrong keys. */
	assert_int_equal(stun_parse(&m, rfc_req, sizeof(rfc_req)), 0);
	assert_int_equal(stun_verify_integrity(&m, rfc_req, rfc_pwd, strlen(rfc_pwd) - 1),
	                 ERR_AUTH);
	assert_int_equal(stun_verify_integrity(&m, rfc_req, "VOkJxbRl1RmTxUk/WvJxBu", 22),
	                 ERR_AUTH);
	assert_int_equal(stun_verify_integrity(&m, rfc_req, "", 0), ERR_AUTH);
	assert_int_equal(stun_verify_integrity(&m, rfc_req, rfc_pwd, strlen(rfc_pwd)), 0);

	/* The bytes after MESSAGE-INTEGRITY are not covered by it. */
	memcpy(b, rfc_req, sizeof(rfc_req));
	b[107] ^= 1;
	assert_int_equal(stun_parse(&m, b, sizeof(b)), 0);
	assert_int_equal(stun_verify_integrity(&m, b, rfc_pwd, strlen(rfc_pwd)), 0);
	assert_int_equal(stun_verify_fingerprint(&m, b), ERR_AUTH);

	/* A doctored offset is refused, not trusted. */
	assert_int_equal(stun_parse(&m, rfc_req, sizeof(rfc_req)), 0);
	m.integrity_off = 72;
	assert_int_equal(stun_verify_integrity(&m, rfc_req, rfc_pwd, strlen(rfc_pwd)), ERR_AUTH);
	m.integrity_off = 100;
	assert_int_equal(stun_verify_integrity(&m, rfc_req, rfc_pwd, strlen(rfc_pwd)), ERR_AUTH);
	assert_int_equal(stun_parse(&m, rfc_req, sizeof(rfc_req)), 0);
	m.fingerprint_off = 76; /* MESSAGE-INTEGRITY, not FINGERPRINT */
	m.length = 76 + 8 - 20;
	assert_int_equal(stun_verify_fingerprint(&m, rfc_req), ERR_AUTH);
}

/* MESSAGE-INTEGRITY is only checked on messages that fit a datagram we handle. */
static void test_integrity_oversized(void **state)
{
	(void)state;
	static uint8_t b[2048], filler[1500];
	struct stun_writer w;
	struct stun_msg m;

	stun_write_begin(&w, b, sizeof(b), STUN_BINDING_REQUEST, rfc_txid);
	stun_write_attr(&w, STUN_ATTR_SOFTWARE, filler, 1400);
	stun_write_integrity(&w, "k", 1);
	assert_int_equal(stun_parse(&m, b, finish(&w)), 0);
	assert_int_equal(stun_verify_integrity(&m, b, "k", 1), 0); /* 1424 bytes before it */

	stun_write_begin(&w, b, sizeof(b), STUN_BINDING_REQUEST, rfc_txid);
	stun_write_attr(&w, STUN_ATTR_SOFTWARE, filler, 1480);
	stun_write_integrity(&w, "k", 1);
	assert_int_equal(stun_parse(&m, b, finish(&w)), 0);
	assert_int_equal(m.integrity_off, 1504);
	assert_int_equal(stun_verify_integrity(&m, b, "k", 1), ERR_AUTH); /* over LIM_PACKET */
}

static void test_fingerprint_tamper(void **state)
{
	(void)state;
	uint8_t b[sizeof(rfc_resp4)];
	struct stun_msg m;
	for (size_t bit = 0; bit < sizeof(b) * 8; bit++) {
		memcpy(b, rfc_resp4, sizeof(b));
		b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		if (stun_parse(&m, b, sizeof(b)) != 0 || m.fingerprint_off != 72)
			continue;
		if (stun_verify_fingerprint(&m, b) != ERR_AUTH)
			fail_msg("flipping bit %zu kept the fingerprint", bit);
	}
}

static void test_fingerprint_not_last(void **state)
{
	(void)state;
	uint8_t b[256];
	struct stun_writer w;
	struct stun_msg m;
	uint8_t prio[4] = {1, 2, 3, 4};

	stun_write_begin(&w, b, sizeof(b), STUN_BINDING_REQUEST, rfc_txid);
	stun_write_attr(&w, STUN_ATTR_USERNAME, "a:b", 3);
	stun_write_fingerprint(&w);
	stun_write_attr(&w, STUN_ATTR_SOFTWARE, "x", 1);
	assert_int_equal(stun_parse(&m, b, finish(&w)), ERR_PROTO);

	/* Twice. */
	stun_write_begin(&w, b, sizeof(b), STUN_BINDING_REQUEST, rfc_txid);
	stun_write_fingerprint(&w);
	stun_write_fingerprint(&w);
	assert_int_equal(stun_parse(&m, b, finish(&w)), ERR_PROTO);

	/* After MESSAGE-INTEGRITY the rule still holds. */
	stun_write_begin(&w, b, sizeof(b), STUN_BINDING_REQUEST, rfc_txid);
	stun_write_integrity(&w, "k", 1);
	stun_write_fingerprint(&w);
	stun_write_attr(&w, STUN_ATTR_PRIORITY, prio, 4);
	assert_int_equal(stun_parse(&m, b, finish(&w)), ERR_PROTO);

	/* And in a real vector: move FINGERPRINT before MESSAGE-INTEGRITY. */
	memcpy(b, rfc_req, 76);
	memcpy(b + 76, rfc_req + 100, 8);
	memcpy(b + 84, rfc_req + 76, 24);
	assert_int_equal(stun_parse(&m, b, sizeof(rfc_req)), ERR_PROTO);
}

static void test_after_integrity_ignored(void **state)
{
	(void)state;
	uint8_t b[256], prio[4] = {0, 0, 0, 9}, bad[3] = {1, 2, 3};
	struct stun_writer w;
	struct stun_msg m;
	struct sockaddr_in a = v4("198.51.100.1", 1);

	stun_write_begin(&w, b, sizeof(b), STUN_BINDING_REQUEST, rfc_txid);
	stun_write_attr(&w, STUN_ATTR_USERNAME, "a:b", 3);
	stun_write_integrity(&w, "key", 3);
	stun_write_attr(&w, STUN_ATTR_PRIORITY, prio, 4);
	stun_write_attr(&w, STUN_ATTR_PRIORITY, bad, 3); /* would be ERR_PROTO before */
	stun_write_attr(&w, STUN_ATTR_USERNAME, "x:y", 3);
	stun_write_attr(&w, STUN_ATTR_USE_CANDIDATE, NULL, 0);
	stun_write_attr(&w, 0x0030, bad, 3); /* unknown, comprehension-required */
	stun_write_xor_addr(&w, STUN_ATTR_XOR_MAPPED_ADDRESS, (struct sockaddr *)&a);
	stun_write_integrity(&w, "other", 5);
	stun_write_fingerprint(&w);
	size_t n = finish(&w);

	assert_int_equal(stun_parse(&m, b, n), 0);
	assert_int_equal(m.integrity_off, 28);
	assert_int_equal(m.fingerprint_off, n - 8);
	assert_memory_equal(m.username, "a:b", 3);
	assert_false(m.has_priority);
	assert_false(m.use_candidate);
	assert_false(m.has_xor_mapped);
	assert_int_equal(m.unknown_required, 0);
	assert_int_equal(stun_verify_integrity(&m, b, "key", 3), 0);
	assert_int_equal(stun_verify_integrity(&m, b, "other", 5), ERR_AUTH);
	assert_int_equal(stun_verify_fingerprint(&m, b), 0);
}

static void test_duplicates_keep_first(void **state)
{
	(void)state;
	uint8_t b[256], p1[4], p2[4], t1[8], t2[8];
	struct stun_writer w;
	struct stun_msg m;
	struct sockaddr_in a1 = v4("198.51.100.1", 1000);
	struct sockaddr_in6 a2 = v6("2001:db8::2", 2000);
	wr32(p1, 111);
	wr32(p2, 222);
	wr64(t1, 0x1111111111111111ull);
	wr64(t2, 0x2222222222222222ull);

	stun_write_begin(&w, b, sizeof(b), STUN_BINDING_REQUEST, rfc_txid);
	stun_write_attr(&w, STUN_ATTR_USERNAME, "first:1", 7);
	stun_write_attr(&w, STUN_ATTR_PRIORITY, p1, 4);
	stun_write_attr(&w, STUN_ATTR_ICE_CONTROLLING, t1, 8);
	stun_write_xor_addr(&w, STUN_ATTR_XOR_MAPPED_ADDRESS, (struct sockaddr *)&a1);
	stun_write_attr(&w, STUN_ATTR_USERNAME, "second:2", 8);
	stun_write_attr(&w, STUN_ATTR_PRIORITY, p2, 4);
	stun_write_attr(&w, STUN_ATTR_ICE_CONTROLLED, t2, 8);
	stun_write_xor_addr(&w, STUN_ATTR_XOR_MAPPED_ADDRESS, (struct sockaddr *)&a2);
	size_t mi = w.len;
	stun_write_integrity(&w, "key", 3);
	stun_write_integrity(&w, "nope", 4);
	stun_write_fingerprint(&w);
	size_t n = finish(&w);

	assert_int_equal(stun_parse(&m, b, n), 0);
	assert_int_equal(m.username_len, 7);
	assert_memory_equal(m.username, "first:1", 7);
	assert_int_equal(m.priority, 111);
	assert_true(m.tiebreaker == 0x1111111111111111ull);
	assert_true(m.has_controlling);
	assert_true(m.has_controlled); /* both flags are reported for the caller to judge */
	assert_v4(&m.xor_mapped, "198.51.100.1", 1000);
	assert_int_equal(m.integrity_off, mi);
	assert_int_equal(stun_verify_integrity(&m, b, "key", 3), 0);
	assert_int_equal(stun_verify_fingerprint(&m, b), 0);
}

/* One attribute with a given value in an otherwise empty request. */
static int parse_one(uint16_t type, const void *val, size_t len, struct stun_msg *m)
{
	static uint8_t b[2048];
	struct stun_writer w;
	stun_write_begin(&w, b, sizeof(b), STUN_BINDING_REQUEST, rfc_txid);
	stun_write_attr(&w, type, val, len);
	assert_int_equal(stun_write_end(&w), 0);
	return stun_parse(m, b, w.len);
}

static void test_value_lengths(void **state)
{
	(void)state;
	uint8_t z[600];
	struct stun_msg m;
	memset(z, 0, sizeof(z));

	/* RFC 5389 15.4, 15.5; RFC 8445 16.1. */
	assert_int_equal(parse_one(STUN_ATTR_MESSAGE_INTEGRITY, z, 16, &m), ERR_PROTO);
	assert_int_equal(parse_one(STUN_ATTR_MESSAGE_INTEGRITY, z, 32, &m), ERR_PROTO);
	assert_int_equal(parse_one(STUN_ATTR_MESSAGE_INTEGRITY, z, 20, &m), 0);
	assert_int_equal(parse_one(STUN_ATTR_FINGERPRINT, z, 8, &m), ERR_PROTO);
	assert_int_equal(parse_one(STUN_ATTR_FINGERPRINT, z, 0, &m), ERR_PROTO);
	assert_int_equal(parse_one(STUN_ATTR_FINGERPRINT, z, 4, &m), 0);
	assert_int_equal(parse_one(STUN_ATTR_PRIORITY, z, 0, &m), ERR_PROTO);
	assert_int_equal(parse_one(STUN_ATTR_PRIORITY, z, 3, &m), ERR_PROTO);
	assert_int_equal(parse_one(STUN_ATTR_PRIORITY, z, 8, &m), ERR_PROTO);
	assert_int_equal(parse_one(STUN_ATTR_ICE_CONTROLLING, z, 4, &m), ERR_PROTO);
	assert_int_equal(parse_one(STUN_ATTR_ICE_CONTROLLED, z, 16, &m), ERR_PROTO);
	assert_int_equal(parse_one(STUN_ATTR_USE_CANDIDATE, z, 4, &m), ERR_PROTO);
	assert_int_equal(parse_one(STUN_ATTR_USE_CANDIDATE, z, 0, &m), 0);
	assert_true(m.use_candidate);
	assert_int_equal(parse_one(STUN_ATTR_USERNAME, z, 513, &m), ERR_PROTO);
	assert_int_equal(parse_one(STUN_ATTR_USERNAME, z, 512, &m), 0);
	assert_int_equal(m.username_len, 512);
	assert_int_equal(parse_one(STUN_ATTR_USERNAME, z, 0, &m), 0);
	assert_non_null(m.username);
	assert_int_equal(m.username_len, 0);

	/* XOR-MAPPED-ADDRESS (RFC 5389 15.2): the family decides the length. */
	uint8_t x[20] = {0, 0x01};
	assert_int_equal(parse_one(STUN_ATTR_XOR_MAPPED_ADDRESS, x, 8, &m), 0);
	assert_true(m.has_xor_mapped);
	assert_int_equal(parse_one(STUN_ATTR_XOR_MAPPED_ADDRESS, x, 20, &m), ERR_PROTO);
	assert_int_equal(parse_one(STUN_ATTR_XOR_MAPPED_ADDRESS, x, 4, &m), ERR_PROTO);
	assert_int_equal(parse_one(STUN_ATTR_XOR_MAPPED_ADDRESS, x, 0, &m), ERR_PROTO);
	x[1] = 0x02;
	assert_int_equal(parse_one(STUN_ATTR_XOR_MAPPED_ADDRESS, x, 20, &m), 0);
	assert_int_equal(m.xor_mapped.ss_family, AF_INET6);
	assert_int_equal(parse_one(STUN_ATTR_XOR_MAPPED_ADDRESS, x, 8, &m), ERR_PROTO);
	x[1] = 0x03;
	assert_int_equal(parse_one(STUN_ATTR_XOR_MAPPED_ADDRESS, x, 8, &m), ERR_PROTO);
	assert_int_equal(parse_one(STUN_ATTR_XOR_MAPPED_ADDRESS, x, 20, &m), ERR_PROTO);

	/* ERROR-CODE (RFC 5389 15.6): class 3..6, number 0..99. */
	uint8_t ec[8] = {0, 0, 4, 87, 'o', 'k'};
	assert_int_equal(parse_one(STUN_ATTR_ERROR_CODE, ec, 6, &m), 0);
	assert_int_equal(m.error_code, 487);
	ec[0] = 0xff; /* reserved bits are ignored */
	ec[2] = 0xfb;
	assert_int_equal(parse_one(STUN_ATTR_ERROR_CODE, ec, 4, &m), 0);
	assert_int_equal(m.error_code, 387);
	ec[2] = 2;
	assert_int_equal(parse_one(STUN_ATTR_ERROR_CODE, ec, 4, &m), ERR_PROTO);
	ec[2] = 7;
	assert_int_equal(parse_one(STUN_ATTR_ERROR_CODE, ec, 4, &m), ERR_PROTO);
	ec[2] = 4;
	ec[3] = 100;
	assert_int_equal(parse_one(STUN_ATTR_ERROR_CODE, ec, 4, &m), ERR_PROTO);
	ec[3] = 1;
	assert_int_equal(parse_one(STUN_ATTR_ERROR_CODE, ec, 3, &m), ERR_PROTO);

	/* A short value as the very last bytes: nothing may be read past it. */
	uint8_t b[24];
	memcpy(b, rfc_req, 20);
	wr16(b + 2, 4);
	wr16(b + 20, STUN_ATTR_XOR_MAPPED_ADDRESS);
	wr16(b + 22, 0);
	uint8_t *heap = malloc(sizeof(b)); /* exact size, so ASan would see an overread */
	assert_non_null(heap);
	memcpy(heap, b, sizeof(b));
	assert_int_equal(stun_parse(&m, heap, sizeof(b)), ERR_PROTO);
	wr16(heap + 20, STUN_ATTR_ERROR_CODE);
	assert_int_equal(stun_parse(&m, heap, sizeof(b)), ERR_PROTO);
	wr16(heap + 20, STUN_ATTR_PRIORITY);
	assert_int_equal(stun_parse(&m, heap, sizeof(b)), ERR_PROTO);
	free(heap);
}

static void test_unknown_required(void **state)
{
	(void)state;
	uint8_t b[256], v[4] = {0};
	struct stun_writer w;
	struct stun_msg m;

	stun_write_begin(&w, b, sizeof(b), STUN_BINDING_REQUEST, rfc_txid);
	stun_write_attr(&w, 0x0000, v, 4); /* reserved: not understood */
	stun_write_attr(&w, 0x001C, v, 4); /* MESSAGE-INTEGRITY-SHA256, not supported */
	stun_write_attr(&w, 0x7FFF, v, 0);
	stun_write_attr(&w, 0xC057, v, 4); /* GOOG-NETWORK-INFO, optional */
	stun_write_attr(&w, 0x8000, v, 1); /* optional */
	stun_write_attr(&w, STUN_ATTR_REALM, "r", 1);
	stun_write_attr(&w, STUN_ATTR_NONCE, "n", 1);
	stun_write_attr(&w, STUN_ATTR_MAPPED_ADDRESS, v, 4);
	assert_int_equal(stun_parse(&m, b, finish(&w)), 0);
	assert_int_equal(m.unknown_required, 3);
}

static void test_ice_request(void **state)
{
	(void)state;
	uint8_t b[256], prio[4], tie[8];
	struct stun_writer w;
	struct stun_msg m;
	wr32(prio, 0x7e7f00ffu);
	wr64(tie, 0xfedcba9876543210ull);

	stun_write_begin(&w, b, sizeof(b), STUN_BINDING_REQUEST, rfc_txid);
	stun_write_attr(&w, STUN_ATTR_USERNAME, "abcd:efgh", 9);
	stun_write_attr(&w, STUN_ATTR_ICE_CONTROLLING, tie, 8);
	stun_write_attr(&w, STUN_ATTR_USE_CANDIDATE, NULL, 0);
	stun_write_attr(&w, STUN_ATTR_PRIORITY, prio, 4);
	stun_write_integrity(&w, "pw", 2);
	stun_write_fingerprint(&w);
	size_t n = finish(&w);
	assert_int_equal(n, 20 + 16 + 12 + 4 + 8 + 24 + 8);
	assert_int_equal(rd16(b + 2), n - 20);
	assert_memory_equal(b + 20 + 4 + 9, "\0\0\0", 3); /* zero padding */

	assert_int_equal(stun_parse(&m, b, n), 0);
	assert_true(m.use_candidate);
	assert_true(m.has_controlling);
	assert_false(m.has_controlled);
	assert_true(m.tiebreaker == 0xfedcba9876543210ull);
	assert_int_equal(m.priority, 0x7e7f00ffu);
	assert_int_equal(stun_verify_integrity(&m, b, "pw", 2), 0);
	assert_int_equal(stun_verify_fingerprint(&m, b), 0);

	/* An indication is parsed the same way (RFC 5389 7.3.2: no response). */
	stun_write_begin(&w, b, sizeof(b), STUN_BINDING_INDICATION, rfc_txid);
	stun_write_fingerprint(&w);
	n = finish(&w);
	assert_int_equal(stun_parse(&m, b, n), 0);
	assert_int_equal(m.type, STUN_BINDING_INDICATION);
	assert_int_equal(stun_verify_fingerprint(&m, b), 0);
}

static void test_writer_overflow(void **state)
{
	(void)state;
	uint8_t b[128];
	struct stun_writer w;
	struct stun_msg req;
	struct sockaddr_in a4 = v4("192.0.2.1", 32853);
	struct sockaddr_in6 a6 = v6("2001:db8::1", 9);
	assert_int_equal(stun_parse(&req, rfc_req, sizeof(rfc_req)), 0);

	for (size_t cap = 0; cap < 20; cap++) {
		stun_write_begin(&w, b, cap, STUN_BINDING_REQUEST, rfc_txid);
		assert_int_equal(stun_write_end(&w), ERR_LIMIT);
	}
	for (size_t cap = 0; cap < 64; cap++)
		assert_int_equal(
		    stun_binding_response(b, cap, &req, (struct sockaddr *)&a4, "k", 1), ERR_LIMIT);
	assert_int_equal(stun_binding_response(b, 64, &req, (struct sockaddr *)&a4, "k", 1), 64);
	for (size_t cap = 0; cap < 76; cap++)
		assert_int_equal(
		    stun_binding_response(b, cap, &req, (struct sockaddr *)&a6, "k", 1), ERR_LIMIT);
	assert_int_equal(stun_binding_response(b, 76, &req, (struct sockaddr *)&a6, "k", 1), 76);

	/* Sticky: a later attribute that would fit is not written. */
	stun_write_begin(&w, b, 40, STUN_BINDING_REQUEST, rfc_txid);
	stun_write_attr(&w, STUN_ATTR_SOFTWARE, "0123456789abcdef0", 17); /* needs 24 */
	assert_int_equal(w.err, ERR_LIMIT);
	assert_int_equal(w.len, 20);
	stun_write_attr(&w, STUN_ATTR_USERNAME, "a", 1);
	stun_write_fingerprint(&w);
	assert_int_equal(w.len, 20);
	assert_int_equal(rd16(b + 2), 0);
	assert_int_equal(stun_write_end(&w), ERR_LIMIT);

	/* The 16-bit length field is a limit too (RFC 5389 6). */
	uint8_t *big = calloc(1, 70000), *src = calloc(1, 0x10000);
	assert_non_null(big);
	assert_non_null(src);
	stun_write_begin(&w, big, 70000, STUN_BINDING_REQUEST, rfc_txid);
	stun_write_attr(&w, STUN_ATTR_SOFTWARE, src, 0x10000);
	assert_int_equal(stun_write_end(&w), ERR_LIMIT);
	stun_write_begin(&w, big, 70000, STUN_BINDING_REQUEST, rfc_txid);
	stun_write_attr(&w, STUN_ATTR_SOFTWARE, src, 0xFFF8); /* body 0xFFFC */
	assert_int_equal(w.err, 0);
	assert_int_equal(rd16(big + 2), 0xFFFC);
	stun_write_attr(&w, STUN_ATTR_USE_CANDIDATE, NULL, 0);
	assert_int_equal(stun_write_end(&w), ERR_LIMIT);
	free(src);
	free(big);

	/* Bad arguments. */
	struct sockaddr sa = {.sa_family = AF_UNIX};
	assert_int_equal(stun_binding_response(b, sizeof(b), &req, &sa, "k", 1), ERR_INVAL);
	struct stun_msg resp;
	assert_int_equal(stun_parse(&resp, rfc_resp4, sizeof(rfc_resp4)), 0);
	assert_int_equal(stun_binding_response(b, sizeof(b), &resp, (struct sockaddr *)&a4, "k", 1),
	                 ERR_INVAL);
}

/* The client's check, read back by the parser and checked as kamerd checks it. */
static void test_binding_request_writer(void **state)
{
	(void)state;
	uint8_t buf[256];
	struct stun_check c = {.remote_ufrag = "srvU",
	                       .local_ufrag = "cliU",
	                       .remote_pwd = "0123456789abcdefghijkl",
	                       .priority = 0x6e0001ff,
	                       .tiebreaker = 0x0102030405060708ull,
	                       .controlling = 1,
	                       .use_candidate = 1};
	for (int i = 0; i < 12; i++)
		c.txid[i] = (uint8_t)(i + 1);
	int n = stun_binding_request(buf, sizeof(buf), &c);
	assert_true(n > 0);
	struct stun_msg m;
	assert_int_equal(stun_parse(&m, buf, (size_t)n), 0);
	assert_int_equal(m.type, STUN_BINDING_REQUEST);
	assert_memory_equal(m.txid, c.txid, 12);
	assert_int_equal(m.username_len, 9);
	assert_memory_equal(m.username, "srvU:cliU", 9);
	assert_true(m.has_priority);
	assert_int_equal(m.priority, 0x6e0001ff);
	assert_true(m.use_candidate);
	assert_true(m.has_controlling);
	assert_false(m.has_controlled);
	assert_true(m.tiebreaker == 0x0102030405060708ull);
	assert_int_equal(stun_verify_fingerprint(&m, buf), 0);
	assert_int_equal(stun_verify_integrity(&m, buf, c.remote_pwd, strlen(c.remote_pwd)), 0);
	assert_int_equal(stun_verify_integrity(&m, buf, "wrong-password-0123456", 22), ERR_AUTH);
	/* Controlled: no USE-CANDIDATE even if asked. */
	c.controlling = 0;
	n = stun_binding_request(buf, sizeof(buf), &c);
	assert_true(n > 0);
	assert_int_equal(stun_parse(&m, buf, (size_t)n), 0);
	assert_true(m.has_controlled);
	assert_false(m.use_candidate);
	/* Too small a buffer. */
	assert_int_equal(stun_binding_request(buf, 40, &c), ERR_LIMIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_is_message),
	    cmocka_unit_test(test_rfc5769_request),
	    cmocka_unit_test(test_rfc5769_ipv4_response),
	    cmocka_unit_test(test_rfc5769_ipv6_response),
	    cmocka_unit_test(test_rfc5769_long_term),
	    cmocka_unit_test(test_writer_reproduces_rfc5769),
	    cmocka_unit_test(test_fixtures),
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_binding_error),
	    cmocka_unit_test(test_truncated),
	    cmocka_unit_test(test_bad_header),
	    cmocka_unit_test(test_attr_overrun),
	    cmocka_unit_test(test_integrity_tamper),
	    cmocka_unit_test(test_integrity_oversized),
	    cmocka_unit_test(test_fingerprint_tamper),
	    cmocka_unit_test(test_fingerprint_not_last),
	    cmocka_unit_test(test_after_integrity_ignored),
	    cmocka_unit_test(test_duplicates_keep_first),
	    cmocka_unit_test(test_value_lengths),
	    cmocka_unit_test(test_unknown_required),
	    cmocka_unit_test(test_ice_request),
	    cmocka_unit_test(test_writer_overflow),
	    cmocka_unit_test(test_binding_request_writer),
	};
	return cmocka_run_group_tests(tests, load_fixtures, NULL);
}
