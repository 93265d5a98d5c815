/* internal.h - what worker.c (transports) and room.c (forwarding) share, on a worker's thread
 * only. */
#ifndef KAMER_SFU_INTERNAL_H
#define KAMER_SFU_INTERNAL_H

#include <netinet/in.h>
#include <stdint.h>

#include "rtc/rtp.h"
#include "rtc/srtp.h"
#include "sfu/media.h"
#include "sfu/worker.h"

struct hs;
struct participant;
struct worker;
struct keyreq_budget;
struct relay;
struct relay_msg;

/* A counter has one writer, its worker: a plain add published with a relaxed store, which
   costs no locked instruction per packet. Readers on other threads load it relaxed. */
#define CTR_ADD(ctr, field, v)                                                                     \
	atomic_store_explicit(&(ctr)->field,                                                       \
	                      atomic_load_explicit(&(ctr)->field, memory_order_relaxed) + (v),     \
	                      memory_order_relaxed)

/* One ICE-lite/DTLS-SRTP transport. */
struct conn {
	struct worker *w;
	struct participant *part;
	enum media_role role;
	char ufrag[MEDIA_UFRAG_LEN + 1];
	char pwd[MEDIA_PWD_LEN + 1];
	uint8_t peer_fp[32];
	int has_fp;          /* peer_fp is known: DTLS may start */
	uint8_t *early_dtls; /* the latest DTLS datagram that came before peer_fp */
	size_t early_len;
	struct sockaddr_storage addr; /* verified by a STUN check */
	int has_addr;
	struct hs *hs;          /* its DTLS, on the worker's handshake thread */
	struct srtp_sess *srtp; /* set when DTLS is done: the conn is ready */
	struct meter meter;     /* what it sent, against the worker's limit (sfu/meter.h) */
	int failed;
	uint64_t last_rx_us;
	struct conn *next; /* in the media's list */
};

/* Protects a copy of plain with the conn's keys (payload type set to pt, sequence number to
   seq) and queues it. */
void conn_send_rtp(struct conn *c, const uint8_t *plain, size_t len, uint8_t pt, uint16_t seq);
void conn_send_rtcp(struct conn *c, const uint8_t *plain, size_t len);
struct media_counters *worker_counters_rw(struct worker *w);
/* Frees a transport that room.c no longer uses. */
void worker_conn_release(struct conn *c);

/* The head of the media thread's participant list (owned by room.c). */
struct participant **worker_participants(struct worker *w);
/* The key-frame requests the worker may still send in this tick (sfu/keyreq.h). */
struct keyreq_budget *worker_keyreq_budget(struct worker *w);
unsigned worker_index(const struct worker *w);
/* The worker's participants and mirrors by handle (owned by room.c, kept by the worker). */
struct hashidx *worker_by_handle(struct worker *w);
/* The rings to and from the other workers (sfu/relay.h). */
struct relay *worker_relay(struct worker *w);

/* room.c */
struct participant *room_participant(struct worker *w, uint64_t handle, int create);
void room_set_conn(struct participant *p, struct conn *c);
/* The participant's transport of that role, or NULL. */
struct conn *room_conn(struct participant *p, enum media_role role);
void room_publish(struct worker *w, struct participant *p, const struct media_track_spec *t,
                  size_t n);
void room_subscribe(struct worker *w, struct participant *p, const struct media_sub_spec *s,
                    size_t n);
/* Frees the participant; its conns are freed by the caller first through the detach callback. */
void room_remove(struct worker *w, struct participant *p, void (*conn_free)(struct conn *));
void room_on_ready(struct conn *c);
/* A datagram from c's peer, authentic and decrypted; arrival_us: when it was read from the
   socket (its jitter and, for a sender report, the RR's DLSR count from there). */
void room_on_rtp(struct conn *c, uint8_t *p, size_t len, const struct rtp_hdr *h,
                 uint64_t arrival_us);
void room_on_rtcp(struct conn *c, const uint8_t *p, size_t len, uint64_t arrival_us);
/* A message from worker from: media for a mirror here, or a mirror's request to a track
   published here. */
void room_on_relay(struct worker *w, unsigned from, const struct relay_msg *m);
void room_periodic(struct worker *w, uint64_t now_us);
/* Sends the key-frame requests that waited for their interval's end (each worker tick). */
void room_tick(struct worker *w);
void room_mute(struct participant *p, enum media_kind kind, int muted);
/* Each publisher's loudness now; how many were written. */
size_t room_levels(struct worker *w, struct media_level *out, size_t cap, uint64_t now_us);
void room_free_all(struct worker *w, void (*conn_free)(struct conn *));

#endif
