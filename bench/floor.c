/* floor.c - the least work any SFU must do per forwarded packet on this machine:
 * SRTP unprotect + protect of a 1200-byte RTP packet, and its share of a batched
 * sendmmsg on loopback with the delivery (a receiver draining with recvmmsg).
 *
 *   kamer-floor [--json]
 *
 * Each measurement runs for a bounded count, five times; the median is reported in
 * microseconds per packet. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "rtc/srtp.h"

#define PKT    1200
#define BATCH  32
#define ROUNDS 5

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

/* µs per packet of sendmmsg(32 × 1200 bytes) on loopback, with the receiver's recvmmsg. */
static double send_floor(void)
{
	int tx = socket(AF_INET, SOCK_DGRAM, 0), rx = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);
	int big = 8 << 20;
	setsockopt(rx, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (bind(rx, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    getsockname(rx, (struct sockaddr *)&a, &al) != 0) {
		perror("kamer-floor: bind");
		exit(1);
	}
	static uint8_t buf[BATCH][PKT];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	for (int i = 0; i < BATCH; i++) {
		iov[i] = (struct iovec){buf[i], PKT};
		msgs[i] = (struct mmsghdr){.msg_hdr = {.msg_name = &a,
		                                       .msg_namelen = sizeof(a),
		                                       .msg_iov = &iov[i],
		                                       .msg_iovlen = 1}};
	}
	enum { BATCHES = 2000 };
	double r[ROUNDS];
	for (int round = 0; round < ROUNDS; round++) {
		double t0 = now_s();
		long got = 0;
		for (int b = 0; b < BATCHES; b++) {
			if (sendmmsg(tx, msgs, BATCH, 0) != BATCH) {
				perror("kamer-floor: sendmmsg");
				exit(1);
			}
			struct mmsghdr in[BATCH];
			struct iovec iv[BATCH];
			static uint8_t rb[BATCH][PKT];
			for (int i = 0; i < BATCH; i++) {
				iv[i] = (struct iovec){rb[i], PKT};
				in[i] = (struct mmsghdr){
				    .msg_hdr = {.msg_iov = &iv[i], .msg_iovlen = 1}};
			}
			int n = recvmmsg(rx, in, BATCH, MSG_DONTWAIT, NULL);
			if (n > 0)
				got += n;
		}
		r[round] = (now_s() - t0) * 1e6 / ((double)BATCHES * BATCH);
		(void)got;
	}
	close(tx);
	close(rx);
	return median(r);
}

int main(int argc, char **argv)
{
	int json = argc > 1 && strcmp(argv[1], "--json") == 0;
	if (srtp_sess_global_init() != 0)
		return 1;
	double gcm = crypto_floor(DTLS_SRTP_AEAD_AES_128_GCM, 16, 12);
	double cm = crypto_floor(DTLS_SRTP_AES128_CM_SHA1_80, 16, 14);
	double send = send_floor();
	srtp_sess_global_done();
	if (json)
		printf("{\"srtp_gcm_us\":%.3f,\"srtp_cm_sha1_us\":%.3f,\"send_us\":%.3f,"
		       "\"floor_us\":%.3f}\n",
		       gcm, cm, send, gcm + send);
	else
		printf("per 1200-byte packet: SRTP unprotect+protect AEAD-AES-128-GCM %.3f us, "
		       "AES-CM-128-HMAC-SHA1-80 %.3f us; batched loopback send %.3f us\n"
		       "floor (GCM + send): %.3f us per forwarded packet\n",
		       gcm, cm, send, gcm + send);
	return 0;
}
