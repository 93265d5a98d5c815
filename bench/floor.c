/* floor.c - the least work any SFU must do per forwarded packet on this machine:
 * SRTP unprotect + protect of a 1200-byte RTP packet, and its share of a batched
 * sendmmsg on loopback with the delivery (a receiver draining with recvmmsg).
 *
 * Beside it, the sendmmsg alone in those batches and in batches shaped like a room of
 * two's (a few datagrams a call, each for another receiver), which the floor's batches
 * of 32 to one receiver do not show.
 *
 * And what a wakeup costs here, which the floor does not count either: a datagram sent
 * to a socket whose reader sleeps in epoll_wait on the other CPU costs its sender more
 * than one sent to a reader that is awake (the sender wakes the sleeper's CPU), and the
 * reader pays for its sleep and wakeup. A server at light load pays the second for
 * itself and, on one machine with its load generator, the first for each of the load's
 * threads it wakes.
 *
 *   kamer-floor [--json]
 *
 * Each measurement runs for a bounded count, five times; the median is reported in
 * microseconds per packet (per wakeup for the wakeups). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "rtc/srtp.h"

#define PKT    1200
#define BATCH  32
#define ROUNDS 5
/* Rooms of two: about 4.5 packets a wakeup, each for another of 100 subscribers. */
#define SMALL_BATCH     4
#define SMALL_RECEIVERS 100

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v)
{
	qsort(v, ROUNDS, sizeof(*v), cmp);
	return v[ROUNDS / 2];
}

static void rtp_header(uint8_t *p, uint16_t seq)
{
	memset(p, 0, 12);
	p[0] = 0x80;
	p[1] = 96;
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	p[11] = 0x42; /* SSRC */
}

/* µs per unprotect + protect, forwarding between two sessions as an SFU does. */
static double crypto_floor(enum dtls_srtp_profile profile, size_t key_len, size_t salt_len)
{
	struct dtls_keys pub = {.profile = profile, .key_len = key_len, .salt_len = salt_len};
	for (size_t i = 0; i < 32; i++) {
		pub.local_key[i] = (uint8_t)i;
		pub.remote_key[i] = (uint8_t)(i + 1);
	}
	for (size_t i = 0; i < 14; i++) {
		pub.local_salt[i] = (uint8_t)(i * 3);
		pub.remote_salt[i] = (uint8_t)(i * 5);
	}
	/* The publisher protects with the key that the server's inbound side expects. */
	struct dtls_keys client = pub;
	memcpy(client.local_key, pub.remote_key, sizeof(pub.remote_key));
	memcpy(client.local_salt, pub.remote_salt, sizeof(pub.remote_salt));
	memcpy(client.remote_key, pub.local_key, sizeof(pub.local_key));
	memcpy(client.remote_salt, pub.local_salt, sizeof(pub.local_salt));
	struct srtp_sess *from = srtp_sess_new(&client), *in = srtp_sess_new(&pub),
	                 *out = srtp_sess_new(&pub);
	if (!from || !in || !out) {
		fprintf(stderr, "kamer-floor: cannot create SRTP sessions\n");
		exit(1);
	}
	enum { N = 20000 };
	uint8_t(*wire)[PKT + SRTP_SESS_OVERHEAD] = malloc((size_t)N * sizeof(*wire));
	size_t *lens = malloc(N * sizeof(*lens));
	double r[ROUNDS];
	uint16_t seq = 0;
	for (int round = 0; round < ROUNDS; round++) {
		for (int i = 0; i < N; i++) {
			rtp_header(wire[i], seq++);
			memset(wire[i] + 12, 0x5a, PKT - 12);
			lens[i] = PKT;
			if (srtp_sess_protect_rtp(from, wire[i], &lens[i]) != 0)
				exit(1);
		}
		double t0 = now_s();
		for (int i = 0; i < N; i++) {
			if (srtp_sess_unprotect_rtp(in, wire[i], &lens[i]) != 0 ||
			    srtp_sess_protect_rtp(out, wire[i], &lens[i]) != 0)
				exit(1);
		}
		r[round] = (now_s() - t0) * 1e6 / N;
	}
	free(wire);
	free(lens);
	srtp_sess_free(from);
	srtp_sess_free(in);
	srtp_sess_free(out);
	return median(r);
}

/* A UDP socket bound to a free port on loopback, its address in *a; -1 on failure. */
static int loopback_socket(struct sockaddr_in *a)
{
	*a = (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(*a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd >= 0 && (bind(fd, (struct sockaddr *)a, sizeof(*a)) != 0 ||
	                getsockname(fd, (struct sockaddr *)a, &al) != 0)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* µs per packet of sendmmsg(batch × 1200 bytes) on loopback, message i of a call to the
   next of `receivers` sockets in turn, with the receivers' recvmmsg: the whole, and in
   *send_only the sendmmsg alone (with the delivery, which loopback runs in the sender's
   own softirq). */
static double send_floor(int batch, int receivers, double *send_only)
{
	enum { MAX_RX = 128 };
	_Static_assert(SMALL_RECEIVERS <= MAX_RX, "room for the small batches' receivers");
	struct sockaddr_in a[MAX_RX];
	int rx[MAX_RX];
	int tx = socket(AF_INET, SOCK_DGRAM, 0);
	if (tx < 0) {
		perror("kamer-floor: socket");
		exit(1);
	}
	int big = 8 << 20;
	for (int i = 0; i < receivers; i++) {
		rx[i] = loopback_socket(&a[i]);
		if (rx[i] < 0) {
			perror("kamer-floor: bind");
			exit(1);
		}
		setsockopt(rx[i], SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	}
	static uint8_t buf[BATCH][PKT];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	for (int i = 0; i < batch; i++)
		iov[i] = (struct iovec){buf[i], PKT};
	enum { PACKETS = 64000 };
	const int batches = PACKETS / batch;
	double r[ROUNDS], s[ROUNDS];
	int next = 0;
	for (int round = 0; round < ROUNDS; round++) {
		double t0 = now_s(), in_send = 0;
		for (int b = 0; b < batches; b++) {
			int first = next;
			for (int i = 0; i < batch; i++) {
				msgs[i] =
				    (struct mmsghdr){.msg_hdr = {.msg_name = &a[next],
				                                 .msg_namelen = sizeof(a[next]),
				                                 .msg_iov = &iov[i],
				                                 .msg_iovlen = 1}};
				next = (next + 1) % receivers;
			}
			double s0 = now_s();
			if (sendmmsg(tx, msgs, (unsigned)batch, 0) != batch) {
				perror("kamer-floor: sendmmsg");
				exit(1);
			}
			in_send += now_s() - s0;
			struct mmsghdr in[BATCH];
			struct iovec iv[BATCH];
			static uint8_t rb[BATCH][PKT];
			for (int i = 0; i < batch; i++) {
				iv[i] = (struct iovec){rb[i], PKT};
				in[i] = (struct mmsghdr){
				    .msg_hdr = {.msg_iov = &iv[i], .msg_iovlen = 1}};
			}
			/* Each receiver that this call sent to drains what it got. */
			for (int i = 0; i < batch && i < receivers; i++)
				(void)recvmmsg(rx[(first + i) % receivers], in, (unsigned)batch,
				               MSG_DONTWAIT, NULL);
		}
		r[round] = (now_s() - t0) * 1e6 / ((double)batches * batch);
		s[round] = in_send * 1e6 / ((double)batches * batch);
	}
	close(tx);
	for (int i = 0; i < receivers; i++)
		close(rx[i]);
	*send_only = median(s);
	return median(r);
}

static double thread_cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int pin(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/* The reader of the wakeup measurement, on CPU 1: asleep in epoll_wait until a datagram
   comes, or awake (a busy loop that drains the socket every 200 µs, never waiting). */
struct reader {
	int fd, asleep;
	atomic_int stop;
	long wakeups;
	double cpu_s;
};

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	static uint8_t buf[PKT];
	if (pin(1) != 0)
		return NULL;
	double c0 = thread_cpu_s();
	if (r->asleep) {
		int ep = epoll_create1(0);
		struct epoll_event ev = {.events = EPOLLIN, .data.fd = r->fd};
		epoll_ctl(ep, EPOLL_CTL_ADD, r->fd, &ev);
		while (!atomic_load(&r->stop)) {
			if (epoll_wait(ep, &ev, 1, 50) <= 0)
				continue;
			r->wakeups++;
			while (recv(r->fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
				;
		}
		close(ep);
	} else {
		while (!atomic_load(&r->stop)) {
			double until = now_s() + 200e-6;
			while (now_s() < until)
				;
			while (recv(r->fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
				;
		}
	}
	r->cpu_s = thread_cpu_s() - c0;
	return NULL;
}

/* One round: SENDS datagrams 100 µs apart from CPU 0 to a reader on CPU 1; the sender's
   µs per send (sendto alone, timed) and, with the reader asleep, its CPU µs per wakeup. */
static int wake_round(int asleep, double *send_us, double *wake_us)
{
	enum { SENDS = 2000, GAP_US = 100 };
	struct sockaddr_in a;
	int tx = socket(AF_INET, SOCK_DGRAM, 0);
	struct reader r = {.fd = loopback_socket(&a), .asleep = asleep};
	pthread_t t;
	int rc = -1;
	if (tx < 0 || r.fd < 0 || pthread_create(&t, NULL, reader_main, &r) != 0)
		goto out;
	static uint8_t pkt[PKT];
	usleep(20000); /* the reader is pinned and waiting */
	double in_send = 0, t0 = now_s();
	for (int i = 0; i < SENDS; i++) {
		double s0 = now_s();
		sendto(tx, pkt, sizeof(pkt), 0, (struct sockaddr *)&a, sizeof(a));
		in_send += now_s() - s0;
		double due = t0 + (i + 1) * GAP_US * 1e-6;
		while (now_s() < due)
			;
	}
	usleep(1000);
	atomic_store(&r.stop, 1);
	pthread_join(t, NULL);
	*send_us = in_send * 1e6 / SENDS;
	*wake_us = r.wakeups ? r.cpu_s * 1e6 / (double)r.wakeups : 0;
	rc = asleep && r.wakeups < SENDS / 2 ? -1 : 0; /* the reader slept between sends */
out:
	if (tx >= 0)
		close(tx);
	if (r.fd >= 0)
		close(r.fd);
	return rc;
}

/* µs a wakeup costs the sender of the datagram (over a send to a reader that is awake)
   and the woken reader. 0 on success; -1 with one CPU, or if the reader never slept. */
static int wake_costs(double *send_extra_us, double *woken_us)
{
	double extra[ROUNDS], woken[ROUNDS];
	cpu_set_t was;
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2 ||
	    pthread_getaffinity_np(pthread_self(), sizeof(was), &was) != 0 || pin(0) != 0)
		return -1;
	int rc = 0;
	for (int round = 0; round < ROUNDS; round++) {
		double awake_send, asleep_send, unused;
		if (wake_round(0, &awake_send, &unused) != 0 ||
		    wake_round(1, &asleep_send, &woken[round]) != 0) {
			rc = -1;
			break;
		}
		extra[round] = asleep_send - awake_send;
	}
	pthread_setaffinity_np(pthread_self(), sizeof(was), &was);
	if (rc == 0) {
		*send_extra_us = median(extra);
		*woken_us = median(woken);
	}
	return rc;
}

int main(int argc, char **argv)
{
	int json = argc > 1 && strcmp(argv[1], "--json") == 0;
	if (srtp_sess_global_init() != 0)
		return 1;
	double gcm = crypto_floor(DTLS_SRTP_AEAD_AES_128_GCM, 16, 12);
	double cm = crypto_floor(DTLS_SRTP_AES128_CM_SHA1_80, 16, 14);
	double send_only, small_only;
	double send = send_floor(BATCH, 1, &send_only);
	/* Shaped like the sends of rooms of two: a wakeup brings a few packets, each for
	   another subscriber. */
	(void)send_floor(SMALL_BATCH, SMALL_RECEIVERS, &small_only);
	srtp_sess_global_done();
	double wake_send = 0, woken = 0;
	int wake = wake_costs(&wake_send, &woken) == 0;
	if (json) {
		printf("{\"srtp_gcm_us\":%.3f,\"srtp_cm_sha1_us\":%.3f,\"send_us\":%.3f,"
		       "\"floor_us\":%.3f,\"sendmmsg_us\":%.3f,\"sendmmsg_small_us\":%.3f",
		       gcm, cm, send, gcm + send, send_only, small_only);
		if (wake)
			printf(",\"wake_send_us\":%.3f,\"woken_us\":%.3f", wake_send, woken);
		printf("}\n");
	} else {
		printf("per 1200-byte packet: SRTP unprotect+protect AEAD-AES-128-GCM %.3f us, "
		       "AES-CM-128-HMAC-SHA1-80 %.3f us; batched loopback send %.3f us\n"
		       "floor (GCM + send): %.3f us per forwarded packet\n",
		       gcm, cm, send, gcm + send);
		printf("sendmmsg alone (the send and its delivery, not the reading): %.3f us in "
		       "batches of %d to one receiver, %.3f us in batches of %d each to another of "
		       "%d receivers (not in the floor)\n",
		       send_only, BATCH, small_only, SMALL_BATCH, SMALL_RECEIVERS);
		if (wake)
			printf(
			    "a wakeup (not in the floor): %.3f us more for the send that wakes a "
			    "reader asleep on the other CPU, %.3f us for the reader\n",
			    wake_send, woken);
		else
			printf("a wakeup: not measured (needs two CPUs)\n");
	}
	return 0;
}
