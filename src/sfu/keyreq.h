/* keyreq.h - when to ask a publisher for a key frame (RTCP PLI, RFC 4585 6.3.1).
 *
 * Two limits. Per stream, at most one request in KEYREQ_INTERVAL_US: a newcomer's request
 * inside it waits for its end, so that when many join at once each publisher sends one key
 * frame for them all. Per media worker, at most KEYREQ_COPIES_PER_TICK key-frame copies set
 * off in a tick, a request counting once for each subscriber its key frame goes to, and
 * always one request: a newcomer to a big room needs a key frame from every publisher, and
 * each key frame goes to every subscriber. Asked all at once, they come at once (at 1x35,
 * 34 key frames of about 20 packets each for 34 subscribers: 23,000 packets to forward
 * within a few milliseconds, and a burst of 34 key frames on every subscriber's
 * downlink). Spread over ticks, no subscriber gets more than about one key frame a tick
 * (in a room of 40, at 20 KB each, 8 Mbit/s for as long as a crowd joins), small rooms
 * (whose key frames go to few) are served many at a time, and a newcomer to a room of n
 * has every picture within about n ticks. */
#ifndef KAMER_SFU_KEYREQ_H
#define KAMER_SFU_KEYREQ_H

#include <stdint.h>

#define KEYREQ_INTERVAL_US     300000
#define KEYREQ_COPIES_PER_TICK 40

/* One video stream's state; zeroed to start. */
struct keyreq {
	uint64_t last_us; /* when a request last left, 0 if never */
	int waiting;      /* a request is due when the limits allow */
};

/* A worker's key-frame copies left in this tick, and where its next scan of the waiting
   requests starts. */
struct keyreq_budget {
	unsigned left;
	unsigned turn;
};

/* A new tick: the worker may set off KEYREQ_COPIES_PER_TICK copies again. */
void keyreq_tick(struct keyreq_budget *b);

/* Someone wants a key frame of this stream at now_us; copies: the subscribers it will go
   to. must: a new subscriber, who cannot show anything without one, so a request the
   limits hold back waits (keyreq_due); a subscriber's own request held back by the
   interval is dropped, since the key frame asked for inside it is on its way. 1 when a
   request should leave now. */
int keyreq_ask(struct keyreq *k, struct keyreq_budget *b, uint64_t now_us, int must,
               unsigned copies);

/* For each waiting stream at each tick: 1 when its request should leave now. */
int keyreq_due(struct keyreq *k, struct keyreq_budget *b, uint64_t now_us, unsigned copies);

#endif
