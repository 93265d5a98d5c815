#include "net/udp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
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
	if (o->n == LIM_BATCH)
		udp_out_flush(fd, o);
	return o->buf[o->n];
}

void udp_out_commit(struct udp_out *o, size_t len, const struct sockaddr *to)
{
	o->len[o->n] = len;
	memcpy(&o->to[o->n], to, addr_len(to));
	o->n++;
}

void udp_out_flush(int fd, struct udp_out *o)
{
	struct mmsghdr msgs[LIM_BATCH];
	struct iovec iov[LIM_BATCH];
	size_t done = 0;
	memset(msgs, 0, sizeof(msgs));
	for (size_t i = 0; i < o->n; i++) {
		iov[i].iov_base = o->buf[i];
		iov[i].iov_len = o->len[i];
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &o->to[i];
		msgs[i].msg_hdr.msg_namelen = addr_len((struct sockaddr *)&o->to[i]);
	}
	while (done < o->n) {
		int n = sendmmsg(fd, msgs + done, (unsigned)(o->n - done), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			/* A full socket buffer or an unreachable peer: drop this one, go on. */
			o->failed++;
			done++;
			continue;
		}
		o->sent += (uint64_t)n;
		done += (size_t)n;
	}
	o->n = 0;
}
