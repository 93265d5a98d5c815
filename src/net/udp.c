#include "net/udp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int addr_parse(const char *s, struct sockaddr_storage *sa, socklen_t *salen)
{
	char host[64];
	const char *colon;
	memset(sa, 0, sizeof(*sa));
	if (s[0] == '[') {
		const char *end = strchr(s, ']');
		if (!end || end[1] != ':' || (size_t)(end - s - 1) >= sizeof(host))
			return ERR_INVAL;
		memcpy(host, s + 1, (size_t)(end - s - 1));
		host[end - s - 1] = '\0';
		colon = end + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || (size_t)(colon - s) >= sizeof(host))
			return ERR_INVAL;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
	}
	char *endp;
	long port = strtol(colon + 1, &endp, 10);
	if (*endp != '\0' || port < 0 || port > 65535 || colon[1] == '\0')
		return ERR_INVAL;
	struct sockaddr_in *v4 = (struct sockaddr_in *)sa;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)sa;
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		*salen = sizeof(*v4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		*salen = sizeof(*v6);
		return 0;
	}
	return ERR_INVAL;
}

int addr_host(const struct sockaddr *sa, char *out, size_t cap)
{
	const void *a = sa->sa_family == AF_INET
	                    ? (const void *)&((const struct sockaddr_in *)sa)->sin_addr
	                    : (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
	return inet_ntop(sa->sa_family, a, out, (socklen_t)cap) ? 0 : ERR_INVAL;
}

uint16_t addr_port(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)sa)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
}

void addr_set_port(struct sockaddr *sa, uint16_t port)
{
	if (sa->sa_family == AF_INET)
		((struct sockaddr_in *)sa)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)sa)->sin6_port = htons(port);
}

socklen_t addr_len(const struct sockaddr *sa)
{
	return sa->sa_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
}

int addr_equal(const struct sockaddr *a, const struct sockaddr *b)
{
	if (a->sa_family != b->sa_family)
		return 0;
	if (a->sa_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->sa_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
		return x->sin6_port == y->sin6_port &&
		       memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0;
	}
	return 0;
}

int udp_bind(const struct sockaddr *addr, socklen_t len)
{
	int fd = socket(addr->sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return ERR_IO;
	int size = 4 << 20;
	/* Bigger buffers ride out bursts of key frames; the kernel caps them. */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	/* Don't fragment: a lost fragment loses the whole packet, and WebRTC sizes its
	   packets for the path. For IPv4 the kernel then also skips the shared IP ID
	   generator (__ip_select_ident, 4% of kamerd's CPU in a profile). PROBE rather than
	   DO: a stale path MTU must not stop media. */
	int pmtu = addr->sa_family == AF_INET ? IP_PMTUDISC_PROBE : IPV6_PMTUDISC_PROBE;
	(void)setsockopt(fd, addr->sa_family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6,
	                 addr->sa_family == AF_INET ? IP_MTU_DISCOVER : IPV6_MTU_DISCOVER, &pmtu,
	                 sizeof(pmtu));
	if (bind(fd, addr, len) != 0) {
		close(fd);
		return ERR_IO;
	}
	return fd;
}

int udp_recv_batch(int fd, struct udp_batch *b)
{
	struct mmsghdr msgs[LIM_BATCH];
	struct iovec iov[LIM_BATCH];
	memset(msgs, 0, sizeof(msgs));
	for (size_t i = 0; i < LIM_BATCH; i++) {
		iov[i].iov_base = b->buf[i];
		iov[i].iov_len = LIM_PACKET;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &b->from[i];
		msgs[i].msg_hdr.msg_namelen = sizeof(b->from[i]);
	}
	b->n = 0;
	int n = recvmmsg(fd, msgs, LIM_BATCH, MSG_DONTWAIT, NULL);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		return ERR_IO;
	}
	for (int i = 0; i < n; i++)
		b->len[i] = (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) ? 0 : msgs[i].msg_len;
	b->n = (size_t)n;
	return 0;
}

uint8_t *udp_out_slot(int fd, struct udp_out *o)
{
	if (o->n == LIM_OUT)
		udp_out_flush(fd, o);
	return o->buf[o->n];
}

void udp_out_commit(struct udp_out *o, size_t len, const struct sockaddr *to)
{
	o->len[o->n] = len;
	memcpy(&o->to[o->n], to, addr_len(to));
	o->n++;
}

#define DEST_SLOTS    (2 * LIM_OUT) /* the destination table is at most half full */
#define GSO_MAX_BYTES 65000         /* one GSO message's payload: an IP datagram's */

static size_t dest_hash(const struct sockaddr *sa)
{
	uint32_t h;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *v4 = (const void *)sa;
		h = v4->sin_addr.s_addr ^ ((uint32_t)v4->sin_port << 16);
	} else {
		const struct sockaddr_in6 *v6 = (const void *)sa;
		uint32_t w[4];
		memcpy(w, &v6->sin6_addr, sizeof(w));
		h = w[0] ^ w[1] ^ w[2] ^ w[3] ^ ((uint32_t)v6->sin6_port << 16);
	}
	return (size_t)(((uint64_t)(h * 2654435761u) * DEST_SLOTS) >> 32);
}

/* Groups the queue into messages: a datagram joins its destination's newest message when it
   has that message's size and the message has room, and starts a new one otherwise. A
   destination's datagrams thus stay in the order they were queued. Returns the count. */
static size_t plan(struct udp_out *o)
{
	size_t nm = 0;
	memset(o->latest, 0, sizeof(o->latest));
	for (size_t i = 0; i < o->n; i++) {
		const struct sockaddr *to = (const struct sockaddr *)&o->to[i];
		size_t h = dest_hash(to);
		while (o->latest[h] &&
		       !addr_equal(to, (const struct sockaddr *)&o->to[o->first[o->latest[h] - 1]]))
			h = (h + 1) % DEST_SLOTS;
		if (!o->no_gso && o->latest[h]) {
			size_t m = o->latest[h] - 1;
			if (o->len[i] > 0 && o->seg[m] == o->len[i] &&
			    o->nseg[m] < LIM_GSO_SEGMENTS &&
			    (size_t)(o->nseg[m] + 1) * o->len[i] <= GSO_MAX_BYTES) {
				o->nseg[m]++;
				o->msg_of[i] = (uint16_t)m;
				continue;
			}
		}
		o->first[nm] = (uint16_t)i;
		o->seg[nm] = (uint16_t)o->len[i];
		o->nseg[nm] = 1;
		o->msg_of[i] = (uint16_t)nm;
		o->latest[h] = (uint16_t)(++nm);
	}
	return nm;
}

/* Lays each message's datagrams out side by side in iov, in queue order, and fills in its
   header: the address, and the segment size when there is more than one datagram. */
static void lay_out(struct udp_out *o, size_t nm)
{
	uint16_t *next = o->latest; /* reused: where each message's next datagram goes */
	size_t at = 0;
	for (size_t m = 0; m < nm; m++) {
		next[m] = (uint16_t)at;
		at += o->nseg[m];
	}
	memset(o->msgs, 0, nm * sizeof(o->msgs[0]));
	for (size_t m = 0; m < nm; m++) {
		struct msghdr *h = &o->msgs[m].msg_hdr;
		h->msg_iov = &o->iov[next[m]];
		h->msg_iovlen = o->nseg[m];
		h->msg_name = &o->to[o->first[m]];
		h->msg_namelen = addr_len((const struct sockaddr *)&o->to[o->first[m]]);
		if (o->nseg[m] > 1) {
			h->msg_control = o->ctl[m];
			h->msg_controllen = sizeof(o->ctl[m]);
			struct cmsghdr *c = CMSG_FIRSTHDR(h);
			c->cmsg_level = SOL_UDP;
			c->cmsg_type = UDP_SEGMENT;
			c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
			memcpy(CMSG_DATA(c), &o->seg[m], sizeof(uint16_t));
		}
	}
	for (size_t i = 0; i < o->n; i++) {
		struct iovec *v = &o->iov[next[o->msg_of[i]]++];
		v->iov_base = o->buf[i];
		v->iov_len = o->len[i];
	}
}

/* The kernel refused a GSO message: send its datagrams one by one. When they go, the path
   takes datagrams but not GSO (no checksum offload on the way out, say): stop asking. */
static void send_apart(int fd, struct udp_out *o, size_t m)
{
	const struct msghdr *h = &o->msgs[m].msg_hdr;
	size_t ok = 0;
	for (size_t k = 0; k < h->msg_iovlen; k++) {
		if (sendto(fd, h->msg_iov[k].iov_base, h->msg_iov[k].iov_len, MSG_DONTWAIT,
		           h->msg_name, h->msg_namelen) >= 0)
			ok++;
	}
	o->calls += h->msg_iovlen;
	o->sent += ok;
	o->failed += h->msg_iovlen - ok;
	if (ok == h->msg_iovlen)
		o->no_gso = 1;
}

void udp_out_flush(int fd, struct udp_out *o)
{
	if (o->n == 0)
		return;
	size_t nm = plan(o);
	lay_out(o, nm);
	size_t done = 0;
	while (done < nm) {
		int n = sendmmsg(fd, o->msgs + done, (unsigned)(nm - done), MSG_DONTWAIT);
		o->calls++;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (o->nseg[done] > 1 && (errno == EIO || errno == EINVAL ||
			                          errno == EOPNOTSUPP || errno == ENOPROTOOPT))
				send_apart(fd, o, done);
			else /* a full socket buffer or an unreachable peer: drop these, go on */
				o->failed += o->nseg[done];
			done++;
			continue;
		}
		for (size_t m = done; m < done + (size_t)n; m++) {
			o->sent += o->nseg[m];
			o->gso_msgs += o->nseg[m] > 1;
		}
		done += (size_t)n;
	}
	o->n = 0;
}
