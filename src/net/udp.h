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

/* Datagrams queued to send together. A flush makes one sendmmsg() call for them, in which
   consecutive datagrams of one size to one address travel as one UDP GSO message (the
   kernel cuts them apart after the stack: one route lookup and one pass for them all).
   What each destination receives keeps the order it was queued in. */
struct udp_out {
	size_t n;
	uint8_t buf[LIM_OUT][LIM_PACKET];
	size_t len[LIM_OUT];
	struct sockaddr_storage to[LIM_OUT];
	int no_gso;                             /* the path refused GSO: plain datagrams */
	uint64_t sent, failed, calls, gso_msgs; /* totals since start */
	/* The flush's work space. */
	struct mmsghdr msgs[LIM_OUT];
	struct iovec iov[LIM_OUT];
	uint16_t seg[LIM_OUT], nseg[LIM_OUT], first[LIM_OUT], msg_of[LIM_OUT];
	uint16_t latest[2 * LIM_OUT]; /* per destination hash: its newest message + 1 */
	char ctl[LIM_OUT][CMSG_SPACE(sizeof(uint16_t))];
};

/* A free slot to fill, flushing first when full. Set *len and *to, then call udp_out_commit. */
uint8_t *udp_out_slot(int fd, struct udp_out *o);
void udp_out_commit(struct udp_out *o, size_t len, const struct sockaddr *to);
/* Sends everything queued. */
void udp_out_flush(int fd, struct udp_out *o);
#endif
