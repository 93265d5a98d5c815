/* report.c - the run's results: a human summary on stdout and the --json file. */
#include <jansson.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

struct totals {
	uint64_t sent, resent, received, expected, lost, rtx, bad, dups;
	uint64_t joined, complete, errors, keyframes, plis, nacks, nacks_sent, dtls_resent;
	double jitter_sum_ms, jitter_max_ms;
	uint64_t jitter_n;
	struct delay_hist delay, delay_steady, join_ms;
	struct delay_hist join_phase[JOIN_PHASES]; /* µs */
	uint64_t stuck[JOIN_PHASES]; /* without media at the end, by the phase they were in */
	uint64_t readers, rx_drops, rx_drops_steady;
};

/* Senders in p's room whose streams p received: audio (and video unless audio-only). */
static unsigned senders_heard(const struct core *c, const struct load_part *p)
{
	uint64_t audio = 0, video = 0;
	unsigned base = p->room * c->opts.size;
	for (size_t i = 0; i < p->rx.n; i++) {
		const struct rx_stream *s = &p->rx.s[i];
		if (s->sender < base || s->sender >= base + c->opts.size || s->st.received == 0)
			continue;
		if (s->video)
			video |= 1ull << (s->sender - base);
		else
			audio |= 1ull << (s->sender - base);
	}
	uint64_t both = c->opts.audio_only || c->opts.video_kbps == 0 ? audio : audio & video;
	return (unsigned)__builtin_popcountll(both);
}

static const char *const phase_names[JOIN_PHASES] = {"signalling", "offer", "ice", "dtls", "media"};

/* A join phase's quantile q over the participants that joined, in ms. */
static double phase_ms(const struct totals *t, int phase, double q)
{
	return (double)hist_quantile(&t->join_phase[phase], q) / 1000;
}

static void add_part(const struct core *c, const struct load_part *p, struct totals *t,
                     json_t *peers)
{
	const struct rx_state *rx = &p->rx;
	t->sent += p->gen.sent;
	t->resent += p->gen.resent;
	t->keyframes += p->gen.keyframes;
	t->plis += p->gen.plis;
	t->nacks += p->gen.nacks;
	t->received += rx->packets;
	t->rtx += rx->rtx;
	t->nacks_sent += rx->nacks;
	t->bad += rx->bad;
	t->errors += p->failed + p->peer_errors;
	t->dtls_resent += p->dtls_resent;
	hist_merge(&t->delay, &rx->delay);
	hist_merge(&t->delay_steady, &rx->delay_steady);
	for (size_t i = 0; i < rx->n; i++) {
		const struct rx_stream *s = &rx->s[i];
		t->dups += s->dups;
		if (!s->st.started)
			continue;
		uint64_t ext_max = s->st.cycles + s->st.max_seq;
		uint64_t expected = ext_max >= s->st.base_seq ? ext_max - s->st.base_seq + 1 : 0;
		/* A.1 counts from the end of probation; the packets before it were received. */
		if (s->packets > s->st.received)
			expected += s->packets - s->st.received;
		t->expected += expected;
		if (expected > s->packets)
			t->lost += expected - s->packets;
		double j = (double)s->st.jitter16 / 16.0 / (double)s->st.clock_rate * 1000.0;
		t->jitter_sum_ms += j;
		t->jitter_n++;
		if (j > t->jitter_max_ms)
			t->jitter_max_ms = j;
	}
	int joined = p->joined && rx->first_media_ns != 0;
	json_t *phases = NULL; /* ms, in the order of JOIN_PHASES */
	double join_ms = joined ? (double)(rx->first_media_ns - p->t_start_ns) / 1e6 : 0;
	unsigned want = c->opts.size - 1;
	/* A sink cannot tell senders apart: anything received counts as everyone. */
	unsigned heard = p->sink ? (rx->packets > 0 ? want : 0) : senders_heard(c, p);
	if (!p->sink)
		t->readers++;
	t->rx_drops += rx->drops;
	t->rx_drops_steady += rx->drops_steady;
	const uint64_t at[JOIN_PHASES + 1] = {p->t_start_ns, p->t_joined_ns, p->t_sub_ns,
	                                      p->t_ice_ns,   p->t_keyed_ns,  rx->first_media_ns};
	int stuck = JOIN_PHASES; /* the phase a participant without media is still in */
	if (!joined && !p->failed && c->opts.size > 1) {
		stuck = join_stuck(at);
		if (stuck < JOIN_PHASES)
			t->stuck[stuck]++;
	}
	if (joined) {
		t->joined++;
		hist_add(&t->join_ms, (uint64_t)join_ms);
		uint64_t us[JOIN_PHASES];
		if (join_phases(at, us) == 0) {
			phases = json_array();
			for (int i = 0; i < JOIN_PHASES; i++) {
				hist_add(&t->join_phase[i], us[i]);
				json_array_append_new(phases, json_real((double)us[i] / 1000));
			}
		}
	} else if (c->opts.size == 1 && p->joined && !p->failed) {
		t->joined++; /* alone in a room there is nothing to receive */
	}
	if (heard >= want && !p->failed)
		t->complete++;
	json_array_append_new(
	    peers,
	    json_pack("{s:s, s:i, s:b, s:f, s:o?, s:s?, s:i, s:i, s:I, s:I, s:s?}", "name", p->name,
	              "room", (int)p->room, "joined", joined, "join_ms", join_ms, "join_phases_ms",
	              phases, "stuck_in", stuck < JOIN_PHASES ? phase_names[stuck] : NULL,
	              "senders_heard", (int)heard, "senders_expected", (int)want, "packets_sent",
	              (json_int_t)p->gen.sent, "packets_received", (json_int_t)rx->packets, "error",
	              p->failed ? p->why : NULL));
}

int report(const struct core *c)
{
	struct totals *t = calloc(1, sizeof(*t));
	json_t *peers = json_array();
	if (!t || !peers) {
		free(t);
		json_decref(peers);
		return 0;
	}
	for (unsigned i = 0; i < c->nparts; i++)
		add_part(c, c->parts[i], t, peers);
	double dur = (double)(c->t_end_ns - c->t_start_ns) / 1e9;
	double loss = t->expected ? (double)t->lost / (double)t->expected : 0;
	double jmean = t->jitter_n ? t->jitter_sum_ms / (double)t->jitter_n : 0;
	uint64_t d50 = hist_quantile(&t->delay, 0.5), d99 = hist_quantile(&t->delay, 0.99);
	uint64_t j50 = hist_quantile(&t->join_ms, 0.5), j99 = hist_quantile(&t->join_ms, 0.99);
	int ok = t->joined == c->nparts && t->complete == c->nparts &&
	         (c->opts.size == 1 || t->received > 0);

	printf("kamer-load: target %s, %u room(s) of %u, %u participants, %.1f s\n", c->opts.target,
	       c->opts.rooms, c->opts.size, c->nparts, dur);
	printf("  joined        %llu of %u (heard everyone: %llu)\n", (unsigned long long)t->joined,
	       c->nparts, (unsigned long long)t->complete);
	printf("  join time     p50 %llu ms, p99 %llu ms, max %llu ms\n", (unsigned long long)j50,
	       (unsigned long long)j99, (unsigned long long)t->join_ms.max_us);
	printf(
	    "  join phases   p99 ms: signalling %.1f, subscribe offer %.1f, ICE %.1f, DTLS %.1f, "
	    "first media %.1f\n",
	    phase_ms(t, JOIN_SIGNALLING, 0.99), phase_ms(t, JOIN_OFFER, 0.99),
	    phase_ms(t, JOIN_ICE, 0.99), phase_ms(t, JOIN_DTLS, 0.99),
	    phase_ms(t, JOIN_MEDIA, 0.99));
	uint64_t nstuck = 0;
	for (int i = 0; i < JOIN_PHASES; i++)
		nstuck += t->stuck[i];
	if (nstuck)
		printf(
		    "  no media yet  %llu at the end: in signalling %llu, waiting for a subscribe "
		    "offer %llu, in ICE %llu, in DTLS %llu, keyed and waiting for media %llu\n",
		    (unsigned long long)nstuck, (unsigned long long)t->stuck[JOIN_SIGNALLING],
		    (unsigned long long)t->stuck[JOIN_OFFER],
		    (unsigned long long)t->stuck[JOIN_ICE], (unsigned long long)t->stuck[JOIN_DTLS],
		    (unsigned long long)t->stuck[JOIN_MEDIA]);
	printf("  packets       sent %llu, received %llu, expected %llu, lost %llu (%.4f%%)\n",
	       (unsigned long long)t->sent, (unsigned long long)t->received,
	       (unsigned long long)t->expected, (unsigned long long)t->lost, loss * 100);
	printf("  delay         p50 %llu us, p99 %llu us, max %llu us\n", (unsigned long long)d50,
	       (unsigned long long)d99, (unsigned long long)t->delay.max_us);
	uint64_t steady = atomic_load(&load_steady_ns);
	double steady_from = steady ? (double)(steady - c->t_start_ns) / 1e9 : 0;
	uint64_t s50 = hist_quantile(&t->delay_steady, 0.5),
	         s99 = hist_quantile(&t->delay_steady, 0.99);
	if (steady)
		printf(
		    "  steady delay  p50 %llu us, p99 %llu us, max %llu us (sent after %.1f s)\n",
		    (unsigned long long)s50, (unsigned long long)s99,
		    (unsigned long long)t->delay_steady.max_us, steady_from);
	/* The server's cost per packet once everyone is in: the joins' DTLS, SDP and first key
	   frames are a cost per participant, apart from the cost per packet a meeting pays
	   for as long as it lasts. What the load's sockets dropped unread the server sent too. */
	uint64_t steady_n = t->delay_steady.n + t->rx_drops_steady;
	double steady_us = c->server_cpu_steady_s >= 0 && t->delay_steady.n
	                       ? c->server_cpu_steady_s * 1e6 / (double)steady_n
	                       : -1;
	if (steady_us >= 0)
		printf(
		    "  server CPU    %.2f us per packet delivered in the steady part (%.2f s for "
		    "%llu packets received and %llu dropped unread)\n",
		    steady_us, c->server_cpu_steady_s, (unsigned long long)t->delay_steady.n,
		    (unsigned long long)t->rx_drops_steady);
	printf("  jitter        mean %.3f ms, max %.3f ms\n", jmean, t->jitter_max_ms);
	printf("  feedback      %llu key frames sent, %llu PLI/FIR received; NACKs: %llu sent, "
	       "%llu received; %llu packets resent; %llu retransmissions received\n",
	       (unsigned long long)t->keyframes, (unsigned long long)t->plis,
	       (unsigned long long)t->nacks_sent, (unsigned long long)t->nacks,
	       (unsigned long long)t->resent, (unsigned long long)t->rtx);
	double media_pct = dur > 0 ? (double)c->media_cpu_max_ns / 1e9 / dur * 100 : 0;
	printf("  tool CPU      busiest media thread %.0f%% of a core, process %.1f s; the media "
	       "threads slept %llu times\n",
	       media_pct, c->process_cpu_s, (unsigned long long)c->media_sleeps);
	unsigned long pg = atomic_load(&load_srtp_profiles[PEER_PUB][0]),
	              pc = atomic_load(&load_srtp_profiles[PEER_PUB][1]),
	              sg = atomic_load(&load_srtp_profiles[PEER_SUB][0]),
	              sc = atomic_load(&load_srtp_profiles[PEER_SUB][1]);
	printf("  SRTP          publish: %lu GCM, %lu CM-SHA1-80; subscribe: %lu GCM, %lu "
	       "CM-SHA1-80\n",
	       pg, pc, sg, sc);
	printf("  DTLS resent   %llu flights\n", (unsigned long long)t->dtls_resent);
	printf("  readers       %llu of %u read all they receive; their sockets dropped %llu "
	       "datagrams unread (counted as lost above)\n",
	       (unsigned long long)t->readers, c->nparts, (unsigned long long)t->rx_drops);
	printf("  errors        %llu\n", (unsigned long long)t->errors);
	printf("%s\n", ok ? "OK" : "FAILED");
	fflush(stdout);

	if (c->opts.json) {
		json_t *j = json_object();
		json_t *(*I)(json_int_t) = json_integer;
		json_object_set_new(j, "target", json_string(c->opts.target));
		json_object_set_new(j, "rooms", I(c->opts.rooms));
		json_object_set_new(j, "size", I(c->opts.size));
		json_object_set_new(j, "participants", I(c->nparts));
		json_object_set_new(j, "duration_s", json_real(dur));
		json_object_set_new(j, "packets_sent", I((json_int_t)t->sent));
		json_object_set_new(j, "packets_received", I((json_int_t)t->received));
		json_object_set_new(j, "packets_expected", I((json_int_t)t->expected));
		json_object_set_new(j, "packets_lost", I((json_int_t)t->lost));
		json_object_set_new(j, "loss_ratio", json_real(loss));
		json_object_set_new(j, "delay_us",
		                    json_pack("{s:I, s:I, s:I}", "p50", (json_int_t)d50, "p99",
		                              (json_int_t)d99, "max", (json_int_t)t->delay.max_us));
		json_object_set_new(j, "delay_steady_us",
		                    json_pack("{s:I, s:I, s:I}", "p50", (json_int_t)s50, "p99",
		                              (json_int_t)s99, "max",
		                              (json_int_t)t->delay_steady.max_us));
		if (steady_us >= 0)
			json_object_set_new(j, "steady",
			                    json_pack("{s:f, s:I, s:I, s:f, s:f}", "from_s",
			                              steady_from, "packets_received",
			                              (json_int_t)t->delay_steady.n, "socket_drops",
			                              (json_int_t)t->rx_drops_steady,
			                              "server_cpu_s", c->server_cpu_steady_s,
			                              "server_us_per_packet", steady_us));
		json_object_set_new(
		    j, "jitter_ms",
		    json_pack("{s:f, s:f}", "mean", jmean, "max", t->jitter_max_ms));
		json_object_set_new(j, "join_ms",
		                    json_pack("{s:I, s:I, s:I}", "p50", (json_int_t)j50, "p99",
		                              (json_int_t)j99, "max",
		                              (json_int_t)t->join_ms.max_us));
		json_t *phases = json_object();
		for (int i = 0; i < JOIN_PHASES; i++)
			json_object_set_new(phases, phase_names[i],
			                    json_pack("{s:f, s:f, s:f}", "p50", phase_ms(t, i, 0.5),
			                              "p99", phase_ms(t, i, 0.99), "max",
			                              (double)t->join_phase[i].max_us / 1000));
		json_object_set_new(j, "join_phases_ms", phases);
		json_t *stuck = json_object();
		for (int i = 0; i < JOIN_PHASES; i++)
			json_object_set_new(stuck, phase_names[i], I((json_int_t)t->stuck[i]));
		json_object_set_new(j, "stuck_in", stuck);
		json_object_set_new(j, "joined", I((json_int_t)t->joined));
		json_object_set_new(j, "errors", I((json_int_t)t->errors));
		json_object_set_new(j, "dtls_flights_resent", I((json_int_t)t->dtls_resent));
		json_object_set_new(j, "readers", I((json_int_t)t->readers));
		/* The load's own: what its subscribe sockets dropped before it read them. */
		json_object_set_new(j, "socket_drops", I((json_int_t)t->rx_drops));
		/* Beyond the fields the benchmark reads: */
		json_object_set_new(j, "ok", json_boolean(ok));
		json_object_set_new(j, "complete", I((json_int_t)t->complete));
		json_object_set_new(j, "keyframes", I((json_int_t)t->keyframes));
		json_object_set_new(j, "plis_received", I((json_int_t)t->plis));
		json_object_set_new(
		    j, "nacks",
		    json_pack("{s:I, s:I, s:I, s:I}", "sent", (json_int_t)t->nacks_sent, "received",
		              (json_int_t)t->nacks, "packets_resent", (json_int_t)t->resent,
		              "retransmissions_received", (json_int_t)t->rtx));
		json_object_set_new(j, "tool_cpu",
		                    json_pack("{s:f, s:f, s:I}", "media_thread_max_pct", media_pct,
		                              "process_s", c->process_cpu_s, "media_sleeps",
		                              (json_int_t)c->media_sleeps));
		json_object_set_new(j, "srtp_profiles",
		                    json_pack("{s:{s:I, s:I}, s:{s:I, s:I}}", "publish",
		                              "AEAD_AES_128_GCM", (json_int_t)pg,
		                              "AES_CM_128_HMAC_SHA1_80", (json_int_t)pc,
		                              "subscribe", "AEAD_AES_128_GCM", (json_int_t)sg,
		                              "AES_CM_128_HMAC_SHA1_80", (json_int_t)sc));
		json_object_set_new(j, "peers", peers);
		peers = NULL;
		if (json_dump_file(j, c->opts.json, JSON_INDENT(1)) != 0)
			fprintf(stderr, "kamer-load: cannot write %s\n", c->opts.json);
		json_decref(j);
	}
	json_decref(peers);
	free(t);
	return ok;
}
