/* udp.h - the one UDP socket for media: binding and batched receive and send. */
#ifndef KAMER_NET_UDP_H
#define KAMER_NET_UDP_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "base/err.h"
#include "base/limits.h"

/* Parses "ADDR:PORT" or "[V6]:PORT" into sa. 0 or ERR_INVAL. */
int addr_parse(const char *s, struct sockaddr_storage *sa, socklen_t *salen);
/* "ADDR" (no port) for SDP candidates; into out. */
int addr_host(const struct sockaddr *sa, char *out, size_t cap);
uint16_t addr_port(const struct sockaddr *sa);
void addr_set_port(struct sockaddr *sa, uint16_t port);
/* 1 if both hold the same family, address and port. */
int addr_equal(const struct sockaddr *a, const struct sockaddr *b);
socklen_t addr_len(const struct sockaddr *sa);

/* A non-blocking UDP socket bound to addr. fd or ERR_IO. */
int udp_bind(const struct sockaddr *addr, socklen_t len);

/* Datagrams received in one recvmmsg() call; buffers allocated once. */
struct udp_batch {
	size_t n;
	uint8_t buf[LIM_BATCH][LIM_PACKET];
	size_t len[LIM_BATCH];
	struct sockaddr_storage from[LIM_BATCH];
};

/* Receives up to LIM_BATCH datagrams; 0 with b->n set (0 when none are waiting), or ERR_IO.
   Datagrams larger than LIM_PACKET are truncated and reported with len 0. */
int udp_recv_batch(int fd, struct udp_batch *b);

/* Datagrams to send in one sendmmsg() call. */
struct udp_out {
	size_t n;
	uint8_t buf[LIM_BATCH][LIM_PACKET];
	size_t len[LIM_BATCH];
	struct sockaddr_storage to[LIM_BATCH];
	uint64_t sent, failed; /* totals since start */
};

/* A free slot to fill, flushing first when full. Set *len and *to, then call udp_out_commit. */
uint8_t *udp_out_slot(int fd, struct udp_out *o);
void udp_out_commit(struct udp_out *o, size_t len, const struct sockaddr *to);
/* Sends everything queued. */
void udp_out_flush(int fd, struct udp_out *o);

#endif
