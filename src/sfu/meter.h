/* meter.h - how much one transport may send the server: a token bucket of bytes and one of
 * datagrams, each refilled at its rate up to one second's worth. A datagram that either
 * bucket cannot pay for is dropped (counted as over_limit), so that one participant cannot
 * make the server forward a flood to everyone in its room; a browser's camera, screen and
 * microphone together stay far below the defaults, and a key frame's burst fits in the
 * second's worth.
 *
 * The worker meters each datagram after SRTP has authenticated it: what a third party
 * sends with a participant's address fails authentication before it can spend that
 * participant's budget. */
#ifndef KAMER_SFU_METER_H
#define KAMER_SFU_METER_H

#include <stddef.h>
#include <stdint.h>

#define METER_KBPS_DEFAULT 10000u /* 10 Mbit/s per transport */
#define METER_PPS_DEFAULT  3000u  /* datagrams per second per transport */

/* 0 in either field: that bucket never runs dry. */
struct meter_rate {
	uint32_t kbps; /* kilobits (1000 bits) per second */
	uint32_t pps;  /* datagrams per second */
};

struct meter {
	int64_t bytes, packets; /* tokens in millionths of a byte and of a datagram */
	uint64_t last_us;
};

/* Both buckets full at now_us. */
void meter_init(struct meter *m, const struct meter_rate *r, uint64_t now_us);
/* 1 if a datagram of len bytes at now_us is within the rate (its cost taken from both
   buckets), 0 if over it (nothing taken). now_us does not go back; if it does, nothing
   is refilled. */
int meter_take(struct meter *m, const struct meter_rate *r, size_t len, uint64_t now_us);

#endif
