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
 * With --rhythm ROOMS, instead, a bare forwarder for that many rooms of two, fed at the
 * rhythm of kamer-load's participants: the floor's work as any SFU meets it at light load,
 * with its receiving and its wakeups (see rhythm_round).
 *
 *   kamer-floor [--json] [--rhythm ROOMS]
 *
 * Each measurement runs for a bounded count or time, five times; the median is reported
 * in microseconds per packet (per wakeup for the wakeups). */
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
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "rtc/srtp.h"

#define PKT    1200
#define BATCH  32
#define ROUNDS 5
/* Rooms of two: about 4.5 packets a wakeup, each for another of 100 subscribers. */
#define SMALL_BATCH     4
#define SMALL_RECEIVERS 100

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static double now_s(void)
{
	return (double)now_ns() / 1e9;
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

/* Keys for the server's side of a transport (pub) and its client's (client), mirrored:
   what one protects the other unprotects. */
static void test_keys(struct dtls_keys *pub, struct dtls_keys *client,
                      enum dtls_srtp_profile profile, size_t key_len, size_t salt_len)
{
	*pub = (struct dtls_keys){.profile = profile, .key_len = key_len, .salt_len = salt_len};
	for (size_t i = 0; i < 32; i++) {
		pub->local_key[i] = (uint8_t)i;
		pub->remote_key[i] = (uint8_t)(i + 1);
	}
	for (size_t i = 0; i < 14; i++) {
		pub->local_salt[i] = (uint8_t)(i * 3);
		pub->remote_salt[i] = (uint8_t)(i * 5);
	}
	*client = *pub;
	memcpy(client->local_key, pub->remote_key, sizeof(pub->remote_key));
	memcpy(client->local_salt, pub->remote_salt, sizeof(pub->remote_salt));
	memcpy(client->remote_key, pub->local_key, sizeof(pub->local_key));
	memcpy(client->remote_salt, pub->local_salt, sizeof(pub->local_salt));
}

/* µs per unprotect + protect, forwarding between two sessions as an SFU does. */
static double crypto_floor(enum dtls_srtp_profile profile, size_t key_len, size_t salt_len)
{
	/* The publisher protects with the key that the server's inbound side expects. */
	struct dtls_keys pub, client;
	test_keys(&pub, &client, profile, key_len, salt_len);
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

/* A bare forwarder at the rhythm of rooms of two (not in the floor): what forwarding costs
 * when the packets come as meetings send them rather than in a hot loop. N pairs of
 * participants on loopback, each sending Opus-sized audio every 20 ms and 1200-byte video
 * every 9.6 ms (1 Mbit/s), each at its own phase, from one thread that wakes every 0.5 ms
 * to send what is due and otherwise sleeps reading what it receives, as kamer-load does.
 * The forwarder does what every SFU must and nothing else: it sleeps in epoll_wait, takes
 * what came with recvmmsg, unprotects each packet with its sender's SRTP session, protects
 * it with the receiver's and sends the copies with one sendmmsg, each to its sender's
 * partner. It runs on the first CPU the process may use, as kamerd's first media worker
 * does. Its own CPU time per copy is the figure: the floor's work with its share of the
 * receiving and of the wakeups, at that rhythm. */
#define RHYTHM_MAX_PAIRS 128
#define RHYTHM_MAX_PARTS (2 * RHYTHM_MAX_PAIRS)
#define RHYTHM_TICK_NS   500000ll
#define RHYTHM_AUDIO_NS  20000000ll
#define RHYTHM_VIDEO_NS  9600000ll
#define RHYTHM_AUDIO_LEN 120
#define RHYTHM_WARM_US   500000
#define RHYTHM_US        3000000

struct rhythm {
	int parts, part_fd[RHYTHM_MAX_PARTS], fwd_fd;
	struct sockaddr_in part_addr[RHYTHM_MAX_PARTS], fwd_addr;
	struct srtp_sess *seal[RHYTHM_MAX_PARTS]; /* a participant's, with what it sends next: */
	int64_t audio_due[RHYTHM_MAX_PARTS], video_due[RHYTHM_MAX_PARTS];
	uint16_t seq[RHYTHM_MAX_PARTS];
	struct srtp_sess *open[RHYTHM_MAX_PARTS], *reseal[RHYTHM_MAX_PARTS]; /* the forwarder's */
	atomic_int stop, measuring;
	long copies, wakeups; /* the forwarder's, while measuring */
	double cpu_s;
};

/* Participant i's packets that are due by now, each protected and sent to the forwarder.
   Its SSRC carries i in its first two bytes, so that the forwarder needs no lookup. */
static void rhythm_send_due(struct rhythm *r, int i, int64_t now)
{
	int64_t *audio = &r->audio_due[i], *video = &r->video_due[i];
	uint16_t *seq = &r->seq[i];
	static uint8_t pkt[PKT + SRTP_SESS_OVERHEAD];
	while (*audio <= now || *video <= now) {
		int is_audio = *audio <= *video;
		*(is_audio ? audio : video) += is_audio ? RHYTHM_AUDIO_NS : RHYTHM_VIDEO_NS;
		size_t len = is_audio ? RHYTHM_AUDIO_LEN : PKT;
		rtp_header(pkt, (*seq)++);
		pkt[1] = is_audio ? 111 : 96;
		pkt[8] = (uint8_t)(i >> 8);
		pkt[9] = (uint8_t)i;
		pkt[11] = (uint8_t)is_audio;
		memset(pkt + 12, 0x5a, len - 12);
		if (srtp_sess_protect_rtp(r->seal[i], pkt, &len) == 0)
			(void)sendto(r->part_fd[i], pkt, len, 0, (struct sockaddr *)&r->fwd_addr,
			             sizeof(r->fwd_addr));
	}
}

/* The participants: every 0.5 ms what is due; in between, read what came. */
static void *rhythm_clients(void *arg)
{
	struct rhythm *r = arg;
	int ep = epoll_create1(0), tick = timerfd_create(CLOCK_MONOTONIC, 0);
	struct itimerspec every = {.it_interval = {0, RHYTHM_TICK_NS},
	                           .it_value = {0, RHYTHM_TICK_NS}};
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)r->parts};
	if (ep < 0 || tick < 0 || timerfd_settime(tick, 0, &every, NULL) != 0 ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, tick, &ev) != 0)
		goto out;
	for (int i = 0; i < r->parts; i++) {
		ev.data.u32 = (uint32_t)i;
		epoll_ctl(ep, EPOLL_CTL_ADD, r->part_fd[i], &ev);
	}
	int64_t t = now_ns();
	for (int i = 0; i < r->parts; i++) { /* each at its own phase */
		r->audio_due[i] = t + RHYTHM_AUDIO_NS * i / r->parts;
		r->video_due[i] = t + RHYTHM_VIDEO_NS * ((i * 37) % r->parts) / r->parts;
	}
	static uint8_t drain[PKT + SRTP_SESS_OVERHEAD];
	while (!atomic_load(&r->stop)) {
		struct epoll_event evs[16];
		int n = epoll_wait(ep, evs, 16, 50), ticked = 0;
		for (int k = 0; k < n; k++) {
			uint32_t i = evs[k].data.u32;
			uint64_t expirations;
			if (i == (uint32_t)r->parts)
				ticked = read(tick, &expirations, sizeof(expirations)) > 0;
			else
				while (recv(r->part_fd[i], drain, sizeof(drain), MSG_DONTWAIT) > 0)
					;
		}
		int64_t now = now_ns();
		for (int i = 0; ticked && i < r->parts; i++)
			rhythm_send_due(r, i, now);
	}
out:
	if (tick >= 0)
		close(tick);
	if (ep >= 0)
		close(ep);
	return NULL;
}

/* One wakeup's work: until the socket is empty, a batch received, opened, sealed for each
   sender's partner (participant i ^ 1) and sent. The copies sent. */
static long rhythm_forward(struct rhythm *r)
{
	static uint8_t buf[BATCH][PKT + SRTP_SESS_OVERHEAD];
	struct iovec in_iov[BATCH], out_iov[BATCH];
	struct mmsghdr in[BATCH], out[BATCH];
	long copies = 0;
	int n = BATCH;
	while (n == BATCH) {
		for (int i = 0; i < BATCH; i++) {
			in_iov[i] = (struct iovec){buf[i], sizeof(buf[i])};
			in[i] =
			    (struct mmsghdr){.msg_hdr = {.msg_iov = &in_iov[i], .msg_iovlen = 1}};
		}
		n = recvmmsg(r->fwd_fd, in, BATCH, MSG_DONTWAIT, NULL);
		int m = 0;
		for (int i = 0; i < n; i++) {
			size_t len = in[i].msg_len;
			int from = len >= 12 ? buf[i][8] << 8 | buf[i][9] : -1;
			if (from < 0 || from >= r->parts ||
			    srtp_sess_unprotect_rtp(r->open[from], buf[i], &len) != 0 ||
			    srtp_sess_protect_rtp(r->reseal[from ^ 1], buf[i], &len) != 0)
				continue;
			out_iov[m] = (struct iovec){buf[i], len};
			out[m] =
			    (struct mmsghdr){.msg_hdr = {.msg_name = &r->part_addr[from ^ 1],
			                                 .msg_namelen = sizeof(r->part_addr[0]),
			                                 .msg_iov = &out_iov[m],
			                                 .msg_iovlen = 1}};
			m++;
		}
		int sent = m > 0 ? sendmmsg(r->fwd_fd, out, (unsigned)m, MSG_DONTWAIT) : 0;
		copies += sent > 0 ? sent : 0;
	}
	return copies;
}

static void *rhythm_forwarder(void *arg)
{
	struct rhythm *r = arg;
	cpu_set_t allowed;
	if (sched_getaffinity(0, sizeof(allowed), &allowed) == 0 && CPU_COUNT(&allowed) >= 2) {
		int first = 0;
		while (!CPU_ISSET(first, &allowed))
			first++;
		(void)pin(first);
	}
	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN};
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, r->fwd_fd, &ev) != 0)
		goto out;
	int measuring = 0;
	double c0 = 0;
	while (!atomic_load(&r->stop)) {
		if (!measuring && atomic_load(&r->measuring)) {
			measuring = 1;
			c0 = thread_cpu_s();
		}
		if (epoll_wait(ep, &ev, 1, 50) <= 0)
			continue;
		long copies = rhythm_forward(r);
		if (measuring) {
			r->wakeups++;
			r->copies += copies;
		}
	}
	if (measuring)
		r->cpu_s = thread_cpu_s() - c0;
out:
	if (ep >= 0)
		close(ep);
	return NULL;
}

static void rhythm_free(struct rhythm *r)
{
	for (int i = 0; i < r->parts; i++) {
		if (r->part_fd[i] >= 0)
			close(r->part_fd[i]);
		srtp_sess_free(r->seal[i]);
		srtp_sess_free(r->open[i]);
		srtp_sess_free(r->reseal[i]);
	}
	if (r->fwd_fd >= 0)
		close(r->fwd_fd);
	free(r);
}

/* One run with `pairs` rooms of two: the forwarder's CPU µs per copy, its wakeups (rounds
   of epoll_wait that found packets) per copy and the copies it sent a second, over
   RHYTHM_US, after RHYTHM_WARM_US in which every session met its SSRCs. 0, or -1 if it
   could not be set up or forwarded nothing. */
static int rhythm_round(int pairs, double *us, double *wakeups, double *per_s)
{
	struct rhythm *r = calloc(1, sizeof(*r));
	if (!r)
		return -1;
	struct dtls_keys server, client;
	test_keys(&server, &client, DTLS_SRTP_AEAD_AES_128_GCM, 16, 12);
	r->parts = 2 * pairs;
	for (int i = 0; i < r->parts; i++)
		r->part_fd[i] = -1;
	int ok = (r->fwd_fd = loopback_socket(&r->fwd_addr)) >= 0;
	int big = 4 << 20;
	if (ok)
		setsockopt(r->fwd_fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	for (int i = 0; ok && i < r->parts; i++) {
		r->part_fd[i] = loopback_socket(&r->part_addr[i]);
		r->seal[i] = srtp_sess_new(&client);
		r->open[i] = srtp_sess_new(&server);
		r->reseal[i] = srtp_sess_new(&server);
		ok = r->part_fd[i] >= 0 && r->seal[i] && r->open[i] && r->reseal[i];
	}
	pthread_t fwd, clients;
	double seconds = 0;
	int fwd_up = ok && pthread_create(&fwd, NULL, rhythm_forwarder, r) == 0;
	int clients_up = fwd_up && pthread_create(&clients, NULL, rhythm_clients, r) == 0;
	if (clients_up) {
		usleep(RHYTHM_WARM_US);
		atomic_store(&r->measuring, 1);
		double t0 = now_s();
		usleep(RHYTHM_US);
		seconds = now_s() - t0;
	}
	atomic_store(&r->stop, 1);
	if (clients_up)
		pthread_join(clients, NULL);
	if (fwd_up)
		pthread_join(fwd, NULL);
	int rc = clients_up && r->copies > 0 ? 0 : -1;
	if (rc == 0) {
		*us = r->cpu_s * 1e6 / (double)r->copies;
		*wakeups = (double)r->wakeups / (double)r->copies;
		*per_s = (double)r->copies / seconds;
	}
	rhythm_free(r);
	return rc;
}

/* The bare forwarder's median over ROUNDS runs: µs per copy, wakeups per copy and copies
   a second. */
static int rhythm(int pairs, double *us, double *wakeups, double *per_s)
{
	double u[ROUNDS], w[ROUNDS], c[ROUNDS];
	for (int round = 0; round < ROUNDS; round++)
		if (rhythm_round(pairs, &u[round], &w[round], &c[round]) != 0)
			return -1;
	*us = median(u);
	*wakeups = median(w);
	*per_s = median(c);
	return 0;
}

int main(int argc, char **argv)
{
	int json = 0, pairs = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (strcmp(argv[i], "--rhythm") == 0 && i + 1 < argc) {
			pairs = atoi(argv[++i]);
			if (pairs < 1 || pairs > RHYTHM_MAX_PAIRS) {
				fprintf(stderr,
				        "kamer-floor: --rhythm takes 1 to %d rooms of two\n",
				        RHYTHM_MAX_PAIRS);
				return 2;
			}
		} else {
			fprintf(stderr, "usage: kamer-floor [--json] [--rhythm ROOMS]\n");
			return 2;
		}
	}
	if (srtp_sess_global_init() != 0)
		return 1;
	if (pairs) {
		double us, wakeups, per_s;
		int rc = rhythm(pairs, &us, &wakeups, &per_s);
		srtp_sess_global_done();
		if (rc != 0) {
			fprintf(stderr, "kamer-floor: the bare forwarder forwarded nothing\n");
			return 1;
		}
		if (json)
			printf("{\"rooms\":%d,\"bare_us\":%.3f,\"bare_wakeups\":%.4f,"
			       "\"bare_copies_per_s\":%.0f}\n",
			       pairs, us, wakeups, per_s);
		else
			printf(
			    "a bare forwarder at the rhythm of %d rooms of two: %.3f us of its CPU "
			    "per copy, %.4f wakeups per copy, %.0f copies a second\n",
			    pairs, us, wakeups, per_s);
		return 0;
	}
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
