/* media.c - the media plane's front: starts the workers and routes each command to the
 * worker that carries the participant (named in the handle's low bits). */
#include "sfu/media.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "base/rnd.h"
#include "net/udp.h"
#include "rtc/dtls.h"
#include "sfu/relay.h"
#include "sfu/worker.h"

struct media {
	struct worker *w[LIM_MEDIA_WORKERS];
	size_t n;
	struct dtls_ctx *dtls; /* one certificate for every worker */
	struct relay *relay;   /* rings between the workers, for rooms spread over them */
	char announce[64];
};

static unsigned default_workers(void)
{
	cpu_set_t allowed;
	if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0 || CPU_COUNT(&allowed) < 1)
		return 1;
	return (unsigned)CPU_COUNT(&allowed);
}

struct media *media_start(const struct media_config *cfg, char *why, size_t why_cap)
{
	unsigned n = cfg->workers ? cfg->workers : default_workers();
	if (n > LIM_MEDIA_WORKERS) {
		snprintf(why, why_cap, "at most %d media workers", LIM_MEDIA_WORKERS);
		return NULL;
	}
	struct media *m = calloc(1, sizeof(*m));
	if (!m) {
		snprintf(why, why_cap, "out of memory");
		return NULL;
	}
	m->dtls = dtls_ctx_new();
	if (!m->dtls) {
		snprintf(why, why_cap, "cannot create the DTLS certificate");
		goto fail;
	}
	m->relay = relay_new(n);
	if (!m->relay) {
		snprintf(why, why_cap, "out of memory");
		goto fail;
	}
	struct sockaddr_storage bind = cfg->bind;
	uint16_t base = addr_port((struct sockaddr *)&bind);
	if (base && base + n - 1 > 65535) {
		snprintf(why, why_cap, "media ports %u..%u do not fit", base, base + n - 1);
		goto fail;
	}
	for (unsigned i = 0; i < n; i++) {
		if (base)
			addr_set_port((struct sockaddr *)&bind, (uint16_t)(base + i));
		m->w[i] =
		    worker_start(i, (struct sockaddr *)&bind, cfg, m->dtls, m->relay, why, why_cap);
		if (!m->w[i])
			goto fail;
		m->n++;
	}
	if (cfg->announce[0]) {
		snprintf(m->announce, sizeof(m->announce), "%s", cfg->announce);
	} else if (addr_host((const struct sockaddr *)&cfg->bind, m->announce,
	                     sizeof(m->announce)) != 0) {
		snprintf(why, why_cap, "cannot print the media address");
		goto fail;
	}
	return m;
fail:
	media_stop(m);
	return NULL;
}

void media_stop(struct media *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		worker_halt(m->w[i]);
	for (size_t i = 0; i < m->n; i++)
		worker_stop(m->w[i]);
	relay_free(m->relay);
	dtls_ctx_free(m->dtls);
	free(m);
}

const char *media_fingerprint(const struct media *m)
{
	return dtls_ctx_fingerprint(m->dtls);
}

const char *media_announce(const struct media *m)
{
	return m->announce;
}

/* The worker named in a handle; a handle naming none (our bug) falls back to the first. */
static struct worker *of(const struct media *m, uint64_t participant)
{
	size_t i = participant & ((1u << MEDIA_WORKER_BITS) - 1);
	return m->w[i < m->n ? i : 0];
}

uint16_t media_port(const struct media *m, uint64_t participant)
{
	return worker_port(of(m, participant));
}

size_t media_workers(const struct media *m)
{
	return m->n;
}

const struct media_counters *media_worker_counters(const struct media *m, size_t worker)
{
	return worker_counters(m->w[worker]);
}

double media_worker_cpu_seconds(const struct media *m, size_t worker)
{
	return worker_cpu_seconds(m->w[worker]);
}

double media_dtls_cpu_seconds(const struct media *m, size_t worker)
{
	return worker_dtls_cpu_seconds(m->w[worker]);
}

void media_counters_total(const struct media *m, struct media_counters *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < m->n; i++) {
		const struct media_counters *c = worker_counters(m->w[i]);
#define SUM(f) out->f += atomic_load_explicit(&c->f, memory_order_relaxed)
		SUM(rx_packets);
		SUM(rx_bytes);
		SUM(tx_packets);
		SUM(tx_bytes);
		SUM(tx_failed);
		SUM(rtp_in);
		SUM(forwarded);
		SUM(rtx_sent);
		SUM(nacks_rx);
		SUM(nacks_tx);
		SUM(plis_rx);
		SUM(plis_tx);
		SUM(stun_ok);
		SUM(drop_unverified);
		SUM(drop_stun_auth);
		SUM(drop_srtp_auth);
		SUM(drop_srtp_replay);
		SUM(drop_malformed);
		SUM(drop_not_ready);
		SUM(drop_unknown);
		SUM(drop_unsealed);
		SUM(drop_dtls_busy);
		SUM(drop_over_limit);
		SUM(dtls_failed);
		SUM(relay_tx);
		SUM(relay_rx);
		SUM(drop_relay_full);
		SUM(conns);
		SUM(participants);
		SUM(loop_ticks);
		SUM(loop_lag_us);
#undef SUM
		uint64_t lag = atomic_load_explicit(&c->loop_lag_max_us, memory_order_relaxed);
		if (lag > out->loop_lag_max_us)
			out->loop_lag_max_us = lag;
	}
}

int media_conn_add(struct media *m, const struct media_conn_spec *s)
{
	return worker_conn_add(of(m, s->participant), s);
}

int media_conn_fingerprint(struct media *m, uint64_t participant, enum media_role role,
                           const uint8_t fp[32])
{
	return worker_conn_fingerprint(of(m, participant), participant, role, fp);
}

int media_publish(struct media *m, uint64_t participant, const struct media_track_spec *t, size_t n)
{
	return worker_publish(of(m, participant), participant, t, n);
}

int media_subscribe(struct media *m, uint64_t participant, const struct media_sub_spec *s, size_t n)
{
	return worker_subscribe(of(m, participant), participant, s, n);
}

int media_remove(struct media *m, uint64_t participant)
{
	return worker_remove(of(m, participant), participant);
}

int media_mute(struct media *m, uint64_t participant, enum media_kind kind, int muted)
{
	return worker_mute(of(m, participant), participant, kind, muted);
}

size_t media_levels(struct media *m, struct media_level *out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < m->n && n < cap; i++)
		n += worker_levels(m->w[i], out + n, cap - n);
	return n;
}

int media_ice_credentials(char ufrag[MEDIA_UFRAG_LEN + 1], char pwd[MEDIA_PWD_LEN + 1])
{
	if (rnd_ice_string(ufrag, MEDIA_UFRAG_LEN) != 0 || rnd_ice_string(pwd, MEDIA_PWD_LEN) != 0)
		return ERR_IO;
	/* ':' separates ufrags in USERNAME; our alphabet never contains it. */
	return 0;
}
