/* media.h - the media plane: ICE-lite, DTLS-SRTP and forwarding on worker threads.
 *
 * One worker per core, each with its own UDP port; every participant is pinned to one
 * worker, and a room's participants share one worker until the room is big (the control
 * plane decides, signal/place.h). A room spread over workers costs one handover per packet
 * and other worker (sfu/relay.h); workers share nothing else.
 * The control plane never touches media state: it sends commands through each
 * worker's queue (media_conn_add, media_publish, ...) and reads counters.
 * Participants are named by opaque 64-bit handles that the control plane chooses
 * (media_handle) and never shows to clients. */
#ifndef KAMER_SFU_MEDIA_H
#define KAMER_SFU_MEDIA_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "base/err.h"
#include "sfu/meter.h"

#define MEDIA_UFRAG_LEN 8
#define MEDIA_PWD_LEN   24

enum media_role { MEDIA_PUB = 0, MEDIA_SUB = 1 };
enum media_kind { MEDIA_AUDIO = 0, MEDIA_VIDEO = 1 };

struct media_config {
	struct sockaddr_storage bind; /* worker i binds this port + i; all ephemeral if 0 */
	char announce[64];            /* address for ICE candidates; "" = the bound one */
	unsigned workers;             /* 0: one per CPU this process may run on */
	struct meter_rate limit; /* what each transport may send us (sfu/meter.h); 0 = no limit */
	int realtime;            /* workers at real-time priority (base/prio.h) */
};

/* Counters of one worker, written only by its thread, read by the control plane. */
struct media_counters {
	_Atomic uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes, tx_failed;
	_Atomic uint64_t rtp_in; /* RTP packets that passed SRTP and parsed */
	_Atomic uint64_t forwarded, rtx_sent, nacks_rx, nacks_tx, plis_rx, plis_tx;
	_Atomic uint64_t stun_ok;
	_Atomic uint64_t drop_unverified; /* from an address no STUN check verified */
	_Atomic uint64_t
	    drop_stun_auth; /* STUN with a bad USERNAME, MESSAGE-INTEGRITY or FINGERPRINT */
	_Atomic uint64_t drop_srtp_auth;   /* SRTP/SRTCP that failed authentication */
	_Atomic uint64_t drop_srtp_replay; /* authentic SRTP/SRTCP seen before (or too old) */
	_Atomic uint64_t drop_malformed;   /* not STUN, DTLS, RTP or RTCP; or failed to parse */
	_Atomic uint64_t drop_not_ready;   /* media before the DTLS handshake finished */
	_Atomic uint64_t drop_unknown;     /* RTP for a stream nobody published */
	_Atomic uint64_t drop_unsealed;    /* outgoing, refused by SRTP (e.g. other bytes
	                                      under an index already used) */
	_Atomic uint64_t drop_dtls_busy;   /* DTLS records the handshake thread had no room for */
	_Atomic uint64_t drop_over_limit;  /* authentic SRTP/SRTCP over its transport's rate */
	_Atomic uint64_t dtls_failed; /* handshakes that failed, fingerprint mismatches included */
	_Atomic uint64_t relay_tx, relay_rx; /* messages to and from other workers (sfu/relay.h) */
	_Atomic uint64_t drop_relay_full;    /* messages for a worker whose ring was full */
	_Atomic uint64_t conns, participants;
	_Atomic uint64_t loop_ticks;      /* 20 ms ticks run */
	_Atomic uint64_t loop_lag_us;     /* sum of how late they ran */
	_Atomic uint64_t loop_lag_max_us; /* the latest any ran */
};

struct media;

/* Binds the ports and starts the workers. NULL with a reason in why on failure. */
struct media *media_start(const struct media_config *cfg, char *why, size_t why_cap);
/* Stops the workers and frees everything. */
void media_stop(struct media *m);

const char *media_fingerprint(const struct media *m);
const char *media_announce(const struct media *m);

/* A handle's low 8 bits name the worker that carries the participant. A subscriber on
   another worker than its publisher receives through a mirror of the track there. */
#define MEDIA_WORKER_BITS 8
static inline uint64_t media_handle(uint64_t seq, unsigned worker)
{
	return seq << MEDIA_WORKER_BITS | worker;
}
static inline unsigned media_handle_worker(uint64_t handle)
{
	return (unsigned)(handle & ((1u << MEDIA_WORKER_BITS) - 1));
}
/* The UDP port of the worker that carries this participant, for its ICE candidate. */
uint16_t media_port(const struct media *m, uint64_t participant);

size_t media_workers(const struct media *m);
const struct media_counters *media_worker_counters(const struct media *m, size_t worker);
/* CPU time one worker's thread has used. */
double media_worker_cpu_seconds(const struct media *m, size_t worker);
/* CPU time of the thread that runs that worker's DTLS handshakes. */
double media_dtls_cpu_seconds(const struct media *m, size_t worker);
/* All workers' counters added up (loop_lag_max_us: the largest). */
void media_counters_total(const struct media *m, struct media_counters *out);

/* A transport (one RTCPeerConnection) of a participant. */
struct media_conn_spec {
	uint64_t participant;
	enum media_role role;
	char ufrag[MEDIA_UFRAG_LEN + 1]; /* ours */
	char pwd[MEDIA_PWD_LEN + 1];     /* ours */
	uint8_t peer_fp[32];             /* SHA-256 of the browser's certificate, from its SDP */
	int peer_fp_later;               /* not known yet: it comes with media_conn_fingerprint */
};

struct media_track_spec {
	enum media_kind kind;
	uint32_t ssrc;
	uint8_t pt;              /* payload type the publisher uses */
	uint8_t audio_level_ext; /* extmap id of ssrc-audio-level, 0 if none */
	uint32_t clock;          /* RTP clock rate */
};

struct media_sub_spec {
	uint64_t publisher;
	uint32_t ssrc;
	uint8_t out_pt;       /* payload type in the subscriber's SDP */
	enum media_kind kind; /* of the track: a worker other than the publisher's mirrors it */
};

/* Commands, executed in order on the participant's worker. 0, or ERR_LIMIT when its queue is
   full. */
int media_conn_add(struct media *m, const struct media_conn_spec *s);
/* The browser's certificate fingerprint for a transport added with peer_fp_later: our side
   of a transport we offered answers ICE checks as soon as the offer leaves, and starts DTLS
   once this has come (from the browser's answer). */
int media_conn_fingerprint(struct media *m, uint64_t participant, enum media_role role,
                           const uint8_t fp[32]);
int media_publish(struct media *m, uint64_t participant, const struct media_track_spec *t,
                  size_t n);
/* Replaces what the participant receives with exactly this list. */
int media_subscribe(struct media *m, uint64_t participant, const struct media_sub_spec *s,
                    size_t n);
/* Cuts the participant's transports at once and forgets its tracks. */
int media_remove(struct media *m, uint64_t participant);

/* A host muted (or the owner unmuted) a participant: the server stops (or resumes)
   forwarding that participant's audio or video. */
int media_mute(struct media *m, uint64_t participant, enum media_kind kind, int muted);

/* How loud each publishing participant is (from RFC 6464 audio levels, smoothed),
   refreshed ten times a second; for speaker detection on the control thread. */
struct media_level {
	uint64_t participant;
	uint8_t loudness; /* 0 silence .. 127 loudest (127 - level in -dBov) */
};
size_t media_levels(struct media *m, struct media_level *out, size_t cap);

/* Makes fresh ICE credentials. */
int media_ice_credentials(char ufrag[MEDIA_UFRAG_LEN + 1], char pwd[MEDIA_PWD_LEN + 1]) WARN_UNUSED;

#endif
