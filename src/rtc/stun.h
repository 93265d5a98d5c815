/* stun.h - STUN messages for ICE-lite (RFC 5389, RFC 8445): parse, verify, write. */
#ifndef KAMER_RTC_STUN_H
#define KAMER_RTC_STUN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "base/err.h"

#define STUN_HDR_LEN 20
#define STUN_MAGIC   0x2112A442u

/* Message types (RFC 5389 6); only the Binding method is used by ICE. */
#define STUN_BINDING_REQUEST    0x0001
#define STUN_BINDING_SUCCESS    0x0101
#define STUN_BINDING_ERROR      0x0111
#define STUN_BINDING_INDICATION 0x0011

/* Attribute types (RFC 5389 18.2, RFC 8445 16.1). Below 0x8000 is comprehension-required. */
#define STUN_ATTR_MAPPED_ADDRESS     0x0001
#define STUN_ATTR_USERNAME           0x0006
#define STUN_ATTR_MESSAGE_INTEGRITY  0x0008
#define STUN_ATTR_ERROR_CODE         0x0009
#define STUN_ATTR_UNKNOWN_ATTRIBUTES 0x000A
#define STUN_ATTR_REALM              0x0014
#define STUN_ATTR_NONCE              0x0015
#define STUN_ATTR_XOR_MAPPED_ADDRESS 0x0020
#define STUN_ATTR_PRIORITY           0x0024
#define STUN_ATTR_USE_CANDIDATE      0x0025
#define STUN_ATTR_SOFTWARE           0x8022
#define STUN_ATTR_ALTERNATE_SERVER   0x8023
#define STUN_ATTR_FINGERPRINT        0x8028
#define STUN_ATTR_ICE_CONTROLLED     0x8029
#define STUN_ATTR_ICE_CONTROLLING    0x802A

/* Bytes of attribute header + value for the fixed-size ones. */
#define STUN_INTEGRITY_LEN   24
#define STUN_FINGERPRINT_LEN 8

/* A parsed message. Pointers point into the packet, which must outlive this. */
struct stun_msg {
	uint16_t type;   /* message type */
	uint16_t length; /* the header's length field (bytes after the header) */
	uint8_t txid[12];
	const uint8_t *username; /* USERNAME value, points into the packet, or NULL */
	size_t username_len;
	size_t integrity_off;   /* offset of MESSAGE-INTEGRITY's attribute header, 0 if absent */
	size_t fingerprint_off; /* offset of FINGERPRINT's attribute header, 0 if absent */
	int has_priority;
	uint32_t priority;
	int use_candidate;
	int has_controlling, has_controlled;
	uint64_t tiebreaker; /* from whichever of ICE-CONTROLLING/-CONTROLLED came first */
	int error_code;      /* from ERROR-CODE (300..699), 0 if absent */
	int has_xor_mapped;
	struct sockaddr_storage xor_mapped; /* AF_INET or AF_INET6, already un-XORed */
	int unknown_required; /* count of comprehension-required attributes we do not know */
};

/* RFC 7983 demux + shape: first byte 0..3, len >= 20, magic cookie, and the header's length
   field fits in len. 1 if it looks like STUN, 0 otherwise. Does not validate attributes. */
int stun_is_message(const uint8_t *p, size_t len);

/* Pure, zero-copy parse into *m. 0 or ERR_PROTO (then *m is unspecified).
   The header length field must equal len-20 and be a multiple of 4; attributes are padded
   to 4 and must not overrun; attributes after MESSAGE-INTEGRITY other than FINGERPRINT are
   ignored (RFC 5389 15.4); FINGERPRINT must be last; for repeated attributes the first
   counts; value lengths are checked for every known attribute. Unknown comprehension-
   required attributes are counted, not refused: answering 420 is the caller's choice. */
int stun_parse(struct stun_msg *m, const uint8_t *p, size_t len) WARN_UNUSED;

/* HMAC-SHA1 over the message up to MESSAGE-INTEGRITY with the length field adjusted
   (RFC 5389 15.4), compared in constant time. 0 if valid, ERR_AUTH otherwise (also if
   absent, or if the message is over LIM_PACKET bytes). p must be the buffer m was parsed
   from. For short-term credentials (ICE) the key is the password itself. */
int stun_verify_integrity(const struct stun_msg *m, const uint8_t *p, const void *key,
                          size_t key_len) WARN_UNUSED;

/* CRC-32 XOR 0x5354554e (RFC 5389 15.5). 0 if valid, ERR_AUTH otherwise or if absent. */
int stun_verify_fingerprint(const struct stun_msg *m, const uint8_t *p) WARN_UNUSED;

/* Builds a message in a caller's buffer. Errors are sticky in err and checked once at
   stun_write_end(); after an error nothing more is written. The header's length field is
   kept current after each call. Write MESSAGE-INTEGRITY, then FINGERPRINT, last. */
struct stun_writer {
	uint8_t *buf;
	size_t cap;
	size_t len;
	int err;
};
void stun_write_begin(struct stun_writer *w, uint8_t *buf, size_t cap, uint16_t type,
                      const uint8_t txid[12]);
/* Any attribute; the value is copied and zero-padded to 4 bytes. */
void stun_write_attr(struct stun_writer *w, uint16_t type, const void *val, size_t len);
/* XOR-MAPPED-ADDRESS style value for an AF_INET or AF_INET6 address (ERR_INVAL otherwise). */
void stun_write_xor_addr(struct stun_writer *w, uint16_t type, const struct sockaddr *sa);
void stun_write_integrity(struct stun_writer *w, const void *key, size_t key_len);
void stun_write_fingerprint(struct stun_writer *w);
/* 0 and the final length in w->len, or ERR_LIMIT if anything did not fit (ERR_INVAL for a
   bad argument). */
int stun_write_end(struct stun_writer *w) WARN_UNUSED;

/* ICE-lite responder: for a Binding request already verified by the caller, builds the
   Binding success response with XOR-MAPPED-ADDRESS of `from`, MESSAGE-INTEGRITY keyed by
   the local ICE password, and FINGERPRINT (RFC 8445 7.3.1.1). Returns the length written
   (at most 76 bytes) or a negative ERR_*: ERR_INVAL if req is not a Binding request or
   `from` is not IPv4/IPv6, ERR_LIMIT if cap is too small. */
int stun_binding_response(uint8_t *out, size_t cap, const struct stun_msg *req,
                          const struct sockaddr *from, const void *pwd, size_t pwd_len) WARN_UNUSED;

/* ICE connectivity check from a full agent (RFC 8445 7.2.2), for clients: a Binding
   request with USERNAME (remote_ufrag ":" local_ufrag), PRIORITY, ICE-CONTROLLING (or
   -CONTROLLED) with the tie-breaker, USE-CANDIDATE when asked (controlling only),
   MESSAGE-INTEGRITY keyed by the remote password, and FINGERPRINT. Returns the length or
   a negative ERR_* (ERR_LIMIT if cap is too small or the USERNAME is over 513 bytes). */
struct stun_check {
	uint8_t txid[12];
	const char *remote_ufrag, *local_ufrag;
	const char *remote_pwd;
	uint32_t priority;
	uint64_t tiebreaker;
	int controlling, use_candidate;
};
int stun_binding_request(uint8_t *out, size_t cap, const struct stun_check *c) WARN_UNUSED;

/* Binding error response for the error path (e.g. 400 Bad Request, 401 Unauthorized,
   487 Role Conflict) with ERROR-CODE and FINGERPRINT, no integrity (RFC 5389 10.1.2).
   code must be 300..699; reason may be NULL for the standard phrase and must be under 128
   characters (RFC 5389 15.6). Returns the length or a negative ERR_*. */
int stun_binding_error(uint8_t *out, size_t cap, const struct stun_msg *req, int code,
                       const char *reason) WARN_UNUSED;

#endif
