/* meter.c - the token buckets of meter.h. Tokens are kept in millionths, so that a rate in
 * units per second adds exactly rate tokens per microsecond. */
#include "sfu/meter.h"

#define MICRO 1000000

/* A bucket's capacity: one second at its rate. */
static int64_t capacity(uint64_t per_s)
{
	return (int64_t)(per_s * MICRO);
}

static uint64_t bytes_per_s(const struct meter_rate *r)
{
	return (uint64_t)r->kbps * 1000u / 8u;
}

void meter_init(struct meter *m, const struct meter_rate *r, uint64_t now_us)
{
	m->bytes = capacity(bytes_per_s(r));
	m->packets = capacity(r->pps);
	m->last_us = now_us;
}

/* Adds dt_us of refill to one bucket, up to its capacity. */
static void refill(int64_t *tokens, uint64_t per_s, uint64_t dt_us)
{
	int64_t cap = capacity(per_s);
	/* A second refills a bucket from empty; a longer gap adds nothing more, and per_s *
	   MICRO * MICRO stays far inside int64 for any 32-bit rate. */
	if (dt_us > MICRO)
		dt_us = MICRO;
	int64_t t = *tokens + (int64_t)(per_s * dt_us);
	*tokens = t < cap ? t : cap;
}

int meter_take(struct meter *m, const struct meter_rate *r, size_t len, uint64_t now_us)
{
	uint64_t bps = bytes_per_s(r);
	if (now_us > m->last_us) {
		uint64_t dt = now_us - m->last_us;
		refill(&m->bytes, bps, dt);
		refill(&m->packets, r->pps, dt);
		m->last_us = now_us;
	}
	int64_t cost = (int64_t)len * MICRO;
	if ((bps && m->bytes < cost) || (r->pps && m->packets < MICRO))
		return 0;
	if (bps)
		m->bytes -= cost;
	if (r->pps)
		m->packets -= MICRO;
	return 1;
}
