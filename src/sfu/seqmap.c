/* seqmap.c - sequence numbers that run on across pauses (seqmap.h). */
#include "sfu/seqmap.h"

/* While an epoch is young, a seq before its first is a late packet from before the pause.
   Later the 16-bit comparison would wrap, and nothing that late arrives. */
#define EPOCH_YOUNG 16384

static int before_epoch(const struct seqmap *m, uint16_t in)
{
	return m->epoch_sent < EPOCH_YOUNG && (int16_t)(in - m->epoch_in) < 0;
}

void seqmap_pause(struct seqmap *m)
{
	m->resync = m->started;
}

int32_t seqmap_out(struct seqmap *m, uint16_t in)
{
	if (!m->started || m->resync) {
		/* The first number sent is below 2^15, as libwebrtc starts its own: a receiver
		   assumes rollover 0 for the first packet it authenticates (RFC 3711 3.3.1), so
		   a stream that wrapped before its first packets arrived (lost, if it started a
		   few short of 65536) would fail authentication for good. From below 2^15, 32,768
		   packets in a row would have to be lost. */
		m->off = m->started ? (uint16_t)(in - (uint16_t)(m->last_out + 1)) : (in & 0x8000);
		m->epoch_in = in;
		m->last_out = (uint16_t)(in - m->off - 1);
		m->epoch_sent = 0;
		m->started = 1;
		m->resync = 0;
	}
	if (before_epoch(m, in))
		return -1;
	if (m->epoch_sent < EPOCH_YOUNG)
		m->epoch_sent++;
	uint16_t out = (uint16_t)(in - m->off);
	if ((int16_t)(out - m->last_out) > 0)
		m->last_out = out;
	return out;
}

int32_t seqmap_in(const struct seqmap *m, uint16_t out)
{
	if (!m->started || (int16_t)(out - m->last_out) > 0)
		return -1;
	uint16_t in = (uint16_t)(out + m->off);
	return before_epoch(m, in) ? -1 : in;
}
