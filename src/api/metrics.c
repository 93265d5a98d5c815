/* metrics.c - the Prometheus text exposition of kamerd's counters (GET /metrics). */
#include "api/metrics.h"

#include <stdio.h>
#include <stdlib.h>

#include "sfu/media.h"
#include "signal/session.h"

char *metrics_render(struct media *m, struct signal *sig)
{
	struct media_counters total;
	const struct media_counters *c = &total;
	media_counters_total(m, &total);
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);
	if (!f)
		return NULL;
#define G(name, help, v)                                                                           \
	fprintf(f,                                                                                 \
	        "# HELP kamer_" name " " help "\n# TYPE kamer_" name " gauge\nkamer_" name         \
	        " %llu\n",                                                                         \
	        (unsigned long long)(v))
#define C(name, help, v)                                                                           \
	fprintf(f,                                                                                 \
	        "# HELP kamer_" name " " help "\n# TYPE kamer_" name " counter\nkamer_" name       \
	        " %llu\n",                                                                         \
	        (unsigned long long)(v))
	G("rooms", "Meetings with someone in them.", signal_rooms(sig));
	G("participants", "Participants in all meetings.", signal_participants(sig));
	G("media_transports", "ICE/DTLS transports.", c->conns);
	C("packets_in_total", "UDP datagrams received on the media port.", c->rx_packets);
	C("bytes_in_total", "Bytes received on the media port.", c->rx_bytes);
	C("packets_out_total", "UDP datagrams sent from the media port.", c->tx_packets);
	C("bytes_out_total", "Bytes sent from the media port.", c->tx_bytes);
	C("rtp_packets_in_total", "RTP packets received that passed SRTP.", c->rtp_in);
	C("packets_forwarded_total", "RTP packets forwarded to subscribers.", c->forwarded);
	C("rtx_sent_total", "RTP packets sent again to answer NACKs.", c->rtx_sent);
	C("nacks_total", "NACK feedback packets received.", c->nacks_rx);
	C("nacks_out_total", "NACKs sent to publishers for packets the server never received.",
	  c->nacks_tx);
	C("plis_in_total", "PLI feedback packets received from subscribers.", c->plis_rx);
	C("plis_out_total", "Key-frame requests sent to publishers.", c->plis_tx);
	C("dtls_failed_total", "DTLS handshakes that failed or did not match the SDP fingerprint.",
	  c->dtls_failed);
	fprintf(f, "# HELP kamer_drops_total Datagrams dropped, by reason.\n# TYPE "
	           "kamer_drops_total counter\n");
	fprintf(f, "kamer_drops_total{reason=\"unverified_source\"} %llu\n",
	        (unsigned long long)c->drop_unverified);
	fprintf(f, "kamer_drops_total{reason=\"stun_auth\"} %llu\n",
	        (unsigned long long)c->drop_stun_auth);
	fprintf(f, "kamer_drops_total{reason=\"srtp_auth\"} %llu\n",
	        (unsigned long long)c->drop_srtp_auth);
	fprintf(f, "kamer_drops_total{reason=\"srtp_replay\"} %llu\n",
	        (unsigned long long)c->drop_srtp_replay);
	fprintf(f, "kamer_drops_total{reason=\"malformed\"} %llu\n",
	        (unsigned long long)c->drop_malformed);
	fprintf(f, "kamer_drops_total{reason=\"not_ready\"} %llu\n",
	        (unsigned long long)c->drop_not_ready);
	fprintf(f, "kamer_drops_total{reason=\"unknown_stream\"} %llu\n",
	        (unsigned long long)c->drop_unknown);
	fprintf(f, "kamer_drops_total{reason=\"unsealed\"} %llu\n",
	        (unsigned long long)c->drop_unsealed);
	fprintf(f, "kamer_drops_total{reason=\"dtls_busy\"} %llu\n",
	        (unsigned long long)c->drop_dtls_busy);
	fprintf(f, "kamer_drops_total{reason=\"over_limit\"} %llu\n",
	        (unsigned long long)c->drop_over_limit);
	fprintf(f, "kamer_drops_total{reason=\"send_failed\"} %llu\n",
	        (unsigned long long)c->tx_failed);
	fprintf(f, "kamer_drops_total{reason=\"relay_full\"} %llu\n",
	        (unsigned long long)c->drop_relay_full);
	C("relay_messages_out_total",
	  "Messages media workers handed to another worker (a room spread over workers).",
	  c->relay_tx);
	C("relay_messages_in_total", "Messages media workers took from another worker.",
	  c->relay_rx);
	G("media_workers", "Media worker threads.", media_workers(m));
	size_t nw = media_workers(m);
	/* Per worker: a busy worker shows in its own lag, not in an average over all. */
	fprintf(f, "# HELP kamer_worker_cpu_seconds_total CPU time of each media worker.\n"
	           "# TYPE kamer_worker_cpu_seconds_total counter\n");
	for (size_t i = 0; i < nw; i++)
		fprintf(f, "kamer_worker_cpu_seconds_total{worker=\"%zu\"} %.6f\n", i,
		        media_worker_cpu_seconds(m, i));
	fprintf(f, "# HELP kamer_dtls_cpu_seconds_total CPU time of each media worker's DTLS "
	           "handshake thread.\n"
	           "# TYPE kamer_dtls_cpu_seconds_total counter\n");
	for (size_t i = 0; i < nw; i++)
		fprintf(f, "kamer_dtls_cpu_seconds_total{worker=\"%zu\"} %.6f\n", i,
		        media_dtls_cpu_seconds(m, i));
#define W(name, type, help, field)                                                                 \
	fprintf(f, "# HELP kamer_" name " " help "\n# TYPE kamer_" name " " type "\n");            \
	for (size_t i = 0; i < nw; i++)                                                            \
		fprintf(f, "kamer_" name "{worker=\"%zu\"} %llu\n", i,                             \
		        (unsigned long long)atomic_load(&media_worker_counters(m, i)->field));
	W("worker_participants", "gauge", "Participants each media worker carries.", participants);
	W("worker_packets_forwarded_total", "counter", "RTP packets each media worker forwarded.",
	  forwarded);
	W("loop_ticks_total", "counter", "Ticks of each worker's loop (every 20 ms).", loop_ticks);
	W("loop_lag_microseconds_total", "counter", "Sum of how late each worker's ticks ran.",
	  loop_lag_us);
	W("loop_lag_max_microseconds", "gauge", "The latest any tick of each worker ran.",
	  loop_lag_max_us);
#undef W
#undef G
#undef C
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}
