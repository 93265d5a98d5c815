/* load.h - kamer-load's core: participants, their transports, the media threads.
 *
 * The signalling thread (main.c) owns the participants and talks to the server through
 * an adapter (sig.h). Each participant is pinned to one media thread (worker.c), which
 * owns its transports (peer.c) once they are handed over, generates its media (gen.c)
 * and measures what it receives (stats.c). Workers share nothing with each other; the
 * results are read after the workers have stopped. */
#ifndef KAMER_LOAD_LOAD_H
#define KAMER_LOAD_LOAD_H

#include <netinet/in.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "base/limits.h"
#include "rtc/rtp_stats.h"
#include "sig.h"

/* Every generated payload ends with this trailer: magic, sender id, send time
   (CLOCK_MONOTONIC ns), 4 bytes of zero. */
#define LOAD_MAGIC       0x4b4c4431u /* "KLD1" */
#define LOAD_TRAILER_LEN 20

#define LOAD_AUDIO_LEVEL_EXT 1    /* our extmap id for ssrc-audio-level */
#define LOAD_MAX_RTP         1200 /* bytes in one RTP packet before SRTP */
#define LOAD_PACE_PERCENT    250  /* video leaves at 2.5x its rate, as libwebrtc paces it */
#define LOAD_RTX_HISTORY     256  /* video packets kept per sender to answer NACKs */
#define LOAD_MAX_RX          128  /* incoming streams one participant tracks */
#define LOAD_DELAY_BUCKETS   512  /* log-linear histogram of one-way delay */

uint64_t load_now_ns(void);

/* ---- stats.c: what one participant or worker measured ---- */

struct delay_hist {
	uint64_t n, max_us;
	uint64_t bucket[LOAD_DELAY_BUCKETS];
};
void hist_add(struct delay_hist *h, uint64_t us);
void hist_merge(struct delay_hist *into, const struct delay_hist *h);
/* The value at quantile q (0..1), an upper bound of its bucket (within 1/16). */
uint64_t hist_quantile(const struct delay_hist *h, double q);

struct rx_stream {
	uint32_t ssrc;
	uint32_t sender; /* from the trailer */
	uint8_t video;
	uint8_t sub;            /* which subscribe transport it arrives on */
	uint64_t packets, dups; /* new packets counted here; duplicates */
	struct rtp_rx_stats st;
};

struct rx_state {
	struct rx_stream s[LOAD_MAX_RX];
	size_t n;
	uint64_t packets, bytes, bad, rtx, nacks;
	struct delay_hist delay;
	struct delay_hist delay_steady; /* packets sent after load_steady_ns */
	uint64_t first_media_ns;
	/* Datagrams its subscribe sockets dropped unread (SO_RXQ_OVFL): the server sent them, the
	   load did not read them in time. drops_steady: those a read reported from
	   load_steady_ns on. */
	uint64_t drops, drops_steady;
};
/* Participants that have received media (each counts once). */
extern _Atomic unsigned load_media_parts;
/* 0 until the run is steady (everyone receives media, then one more second); packets
   sent from then on count in delay_steady too, apart from the join storm. */
extern _Atomic uint64_t load_steady_ns;

/* Where a participant's join time went, from its first request to its first media packet:
   logging in and joining the meeting (signalling); waiting for the server's first
   subscribe offer (offer: for the first in a meeting, until someone else publishes); that
   transport's ICE, from its answer to the first check answered (ice); its DTLS handshake,
   to its keys (dtls); and from its keys to the first media packet (media: the server's
   forwarding and the publisher's key frame). */
enum { JOIN_SIGNALLING, JOIN_OFFER, JOIN_ICE, JOIN_DTLS, JOIN_MEDIA, JOIN_PHASES };
/* at[]: the first request, the join, the first subscription's answer, its first ICE check
   answered, its keys and the first media packet (CLOCK_MONOTONIC ns). Each phase's µs into
   us[]; a boundary not known (0) or earlier than the one before counts as the one before,
   and one after the first media packet as that packet, so that the phases add up to the
   whole. -1 (us[] untouched) without the first request or the first media packet. */
int join_phases(const uint64_t at[JOIN_PHASES + 1], uint64_t us[JOIN_PHASES]);
/* The phase a participant is still in, from the same boundaries: the first whose end is
   not known (0); JOIN_PHASES once its first media packet came. */
int join_stuck(const uint64_t at[JOIN_PHASES + 1]);

/* A gap in a video stream, to ask for with a NACK (RFC 4585 6.2.1), as browsers do. */
struct rx_gap {
	uint32_t ssrc;
	uint16_t seqs[LIM_NACK_SEQS];
	size_t n;
};
/* A media packet of len bytes arrived for rx: counted, and the first one marks the
   participant as receiving media (load_media_parts). rx_on_rtp counts with it; a sink,
   which reads no further, calls it alone. */
void rx_count(struct rx_state *rx, size_t len, uint64_t now_ns);
/* A read at now_ns learnt that n more datagrams were dropped unread before it. */
void rx_count_drops(struct rx_state *rx, uint64_t n, uint64_t now_ns);
/* One decrypted RTP packet for the participant that owns rx. When it opens a gap of at
   most LIM_NACK_SEQS in a video stream, the missing seqs are in *gap (gap->n, else 0). */
void rx_on_rtp(struct rx_state *rx, unsigned sub, const uint8_t *p, size_t len, uint64_t now_ns,
               struct rx_gap *gap);
/* A sender report arrived on transport sub. */
void rx_on_sr(struct rx_state *rx, uint32_t ssrc, uint64_t ntp, uint64_t now_ns);
/* Writes an RR for the streams of transport sub into buf; length or a negative ERR_*. */
int rx_write_rr(struct rx_state *rx, unsigned sub, uint32_t own_ssrc, uint8_t *buf, size_t cap,
                uint64_t now_ns);

/* ---- gen.c: what one participant sends ---- */

struct gen_pkt {
	uint16_t seq, len;
	uint8_t data[LOAD_MAX_RTP];
};

struct gen {
	uint32_t sender;
	uint32_t audio_ssrc, video_ssrc; /* 0 = not sent */
	unsigned video_kbps;
	uint16_t audio_seq, video_seq;
	uint32_t audio_ts, video_ts;
	uint64_t next_audio_ns, next_video_ns, next_key_ns, next_sr_ns;
	uint16_t picture_id;
	int key_wanted;
	uint32_t audio_packets, audio_octets, video_packets, video_octets;
	uint64_t sent, resent, keyframes, plis, nacks;
	/* The pacer: video packets wait in hist from paced_seq up to video_seq, and leave at
	   LOAD_PACE_PERCENT of the video rate (bytes of budget, may go below zero). */
	uint16_t paced_seq;
	int64_t pace_budget;
	uint64_t pace_last_ns;
	struct gen_pkt hist[LOAD_RTX_HISTORY];
};

/* Where generated plaintext packets go: slot() gives a buffer of LIM_PACKET bytes,
   commit() protects and queues len bytes of it (RTP, or RTCP when rtcp is set). */
struct pkt_sink {
	uint8_t *(*slot)(void *arg);
	void (*commit)(void *arg, size_t len, int rtcp);
	void *arg;
};

void gen_init(struct gen *g, uint32_t sender, unsigned video_kbps, int audio_only, uint64_t now_ns);
/* Sends whatever is due at now_ns: audio every 20 ms, video at 30 frames/s, an SR a
   second. */
void gen_tick(struct gen *g, uint64_t now_ns, const struct pkt_sink *out);
/* Plaintext RTCP that arrived for our streams: PLI/FIR ask for a key frame, NACKs are
   answered from the history. */
void gen_on_rtcp(struct gen *g, const uint8_t *p, size_t len, const struct pkt_sink *out);

/* ---- the participant ---- */

struct peer;
struct worker;

struct load_part {
	unsigned idx, room, slot; /* global index (the sender id), room, place in the room */
	char name[32];
	struct sig_part *sp;
	struct worker *w;
	/* signalling thread */
	int joined, published, failed, left;
	char why[96];
	uint64_t t_start_ns, t_joined_ns;
	uint64_t t_sub_ns; /* its first subscription answered and handed to the media thread */
	struct peer *pub;
	struct peer *subs[LOAD_MAX_SUBS];
	int pub_handed;       /* pub belongs to the worker now */
	uint64_t subs_handed; /* bit i: subs[i] belongs to the worker now */
	uint64_t sig_errors;
	/* media thread, read by the core after the workers stop */
	struct gen gen;
	struct rx_state rx;
	uint64_t peer_errors;
	uint64_t t_ice_ns;    /* the first of its subscribe transports through ICE */
	uint64_t t_keyed_ns;  /* the first of its subscribe transports keyed (DTLS done) */
	uint64_t dtls_resent; /* DTLS flights sent again: a flight of ours or the answer to it was
	                         lost */
	/* Set before the run: stops reading its subscriptions after the first media packet
	   (--sink, or not one of --readers). */
	int sink;
};

/* ---- peer.c: one transport (ICE, DTLS, SRTP) on its own UDP socket ---- */

enum peer_role { PEER_PUB, PEER_SUB };

/* A transport with fresh ICE credentials and a socket bound to an ephemeral port of the
   address `local` (its port is ignored). NULL on failure. Owned by the signalling thread until
   handed to a worker with worker_add(). */
struct peer *peer_new(struct load_part *part, enum peer_role role, unsigned sub,
                      const struct sockaddr *local);
void peer_free(struct peer *pc);
/* Our ICE credentials, for SDP. */
const char *peer_ufrag(const struct peer *pc);
const char *peer_pwd(const struct peer *pc);
/* The socket's own address, for our candidate. */
int peer_local(const struct peer *pc, char *addr, size_t cap, uint16_t *port);
/* The remote side from its SDP (offer or answer) and the SDP we sent: its ICE
   credentials, fingerprint, candidate, and our DTLS role. 0 or a negative ERR_*. */
struct sdp;
int peer_set_remote(struct peer *pc, const struct sdp *remote, const char *remote_text,
                    int remote_is_answer);

/* Runs on the worker. */
int peer_fd(const struct peer *pc);
void peer_attach(struct peer *pc, struct worker *w);
/* Datagrams of one recvmmsg() with their kernel receive times (SO_TIMESTAMPNS), so that a
   busy media thread does not add its own lag to the measured delay. */
struct rx_batch {
	size_t n;
	uint8_t buf[LIM_BATCH][LIM_PACKET];
	size_t len[LIM_BATCH];
	struct sockaddr_storage from[LIM_BATCH];
	uint64_t at_ns[LIM_BATCH]; /* CLOCK_MONOTONIC ns */
	char ctl[LIM_BATCH][64];
	uint32_t drops; /* the socket's count of datagrams dropped unread, as of this batch */
};
void peer_on_readable(struct peer *pc, struct rx_batch *b);
void peer_tick(struct peer *pc, uint64_t now_ns);
/* 1 once SRTP is keyed. */
int peer_ready(const struct peer *pc);

/* Percentage of received SRTP packets dropped unread (--rx-loss); set before the run. */
extern unsigned load_rx_loss_pct;
/* Transports keyed, by role (enum peer_role) and SRTP profile: [role][0] AEAD-AES-128-GCM,
   [role][1] AES-CM-128-HMAC-SHA1-80; what the server under test chose or accepted. */
extern _Atomic unsigned long load_srtp_profiles[2][2];

/* The process-wide DTLS context (one certificate); NULL until load_dtls_init(). */
int load_dtls_init(void);
void load_dtls_done(void);
const char *load_fingerprint(void);

/* ---- worker.c: the media threads ---- */

struct worker *worker_start(unsigned index, int nice);
/* Hands pc over to w's thread (thread-safe). */
int worker_add(struct worker *w, struct peer *pc);
/* What a media thread used: its CPU time, and how often it slept (voluntary context
   switches: each ended by a wakeup, a packet's or its tick's). */
struct worker_usage {
	uint64_t cpu_ns, sleeps;
};
/* Stops the thread, frees its peers; returns what the thread used. */
struct worker_usage worker_stop(struct worker *w);
/* The worker's batched send path, for peers. */
uint8_t *worker_slot(struct worker *w, int fd);
void worker_commit(struct worker *w, size_t len, const struct sockaddr *to);
void worker_flush(struct worker *w);
uint64_t worker_send_failed(const struct worker *w);
/* Stops reading fd: what arrives fills its buffer and is then dropped by the kernel. */
void worker_unwatch(struct worker *w, int fd);

#endif
