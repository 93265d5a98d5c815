/* keyreq.h - when to ask a publisher for a key frame (RTCP PLI, RFC 4585 6.3.1).
 *
 * Two limits. Per stream, at most one request in KEYREQ_INTERVAL_US: a newcomer's request
 * inside it waits for its end, so that when many join at once each publisher sends one key
 * frame for them all. Per media worker, at most KEYREQ_PER_TICK requests in a tick: a
 * newcomer to a big room needs a key frame from every publisher, and each key frame goes
 * to every subscriber; asked all at once, they come at once (at 1x35, 34 key frames of
 * about 20 packets each for 34 subscribers: 23,000 packets to forward within a few
 * milliseconds, and a burst of 34 key frames on every subscriber's downlink). Spread over
 * ticks, the newcomer has every picture within a few ticks and nobody gets the burst. */
#ifndef KAMER_SFU_KEYREQ_H
#define KAMER_SFU_KEYREQ_H

#include <stdint.h>

#define KEYREQ_INTERVAL_US 300000
#define KEYREQ_PER_TICK    4

/* One video stream's state; zeroed to start. */
struct keyreq {
	uint64_t last_us; /* when a request last left, 0 if never */
	int waiting;      /* a request is due when the limits allow */
};

/* A worker's requests left in this tick. */
struct keyreq_budget {
	unsigned left;
};

/* A new tick: the worker may send KEYREQ_PER_TICK requests again. */
void keyreq_tick(struct keyreq_budget *b);

/* Someone wants a key frame of this stream at now_us. must: a new subscriber, who cannot
   show anything without one, so a request the limits hold back waits (keyreq_due); a
   subscriber's own request held back by the interval is dropped, since the key frame
   asked for inside it is on its way. 1 when a request should leave now. */
int keyreq_ask(struct keyreq *k, struct keyreq_budget *b, uint64_t now_us, int must);

/* For each waiting stream at each tick: 1 when its request should leave now. */
int keyreq_due(struct keyreq *k, struct keyreq_budget *b, uint64_t now_us);

#endif
