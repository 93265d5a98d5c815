/* sig.h - how kamer-load talks to a server's signalling: one adapter per --target.
 *
 * An adapter (sig_kamer.c, sig_janus.c) only carries SDP and room membership; the core
 * writes the offers and answers, runs ICE, DTLS and SRTP, and sends and measures media.
 *
 * Threads: every op is called on the signalling thread, and the adapter calls the
 * sig_on_* functions only from inside its ops (mostly from service()), so an adapter
 * needs no locks. SDP strings are NUL-terminated; whoever receives one copies what it
 * keeps. Ownership: init() makes the struct sig and free() ends it; join() makes a
 * struct sig_part, leave() frees it. After leave(), no callback names that participant.
 *
 * Registering a new adapter: define `const struct sig_ops sig_<name>_ops` in its own file
 * and add it to the list in meson.build; main.c finds it through a weak reference
 * (sig_janus_ops is already declared below and looked up when linked in). */
#ifndef KAMER_LOAD_SIG_H
#define KAMER_LOAD_SIG_H

#include <stddef.h>
#include <stdint.h>

struct sig_config {
	const char *url;      /* --url: "http://host:port" of the server's API/signalling */
	const char *user;     /* --user, or NULL */
	const char *password; /* the first line of --password-file, or NULL */
	int verbose;
};

struct sig;       /* an adapter's state for the whole run */
struct sig_part;  /* an adapter's state for one participant */
struct load_part; /* the core's participant: opaque to adapters, passed back in callbacks */

struct sig_ops {
	const char *name; /* the --target value */
	/* Prepares the adapter (log in when cfg->user is set, ...). May block. 0 or a negative
	   ERR_* with a reason in why. */
	int (*init)(const struct sig_config *cfg, struct sig **out, char *why, size_t why_cap);
	void (*free)(struct sig *s);
	/* Creates room number index and writes its id (NUL-terminated) into id. May block;
	   called before any participant starts. 0 or a negative ERR_*. */
	int (*create_room)(struct sig *s, unsigned index, char *id, size_t cap);
	/* Starts one participant named name into room id (from create_room). Asynchronous:
	   sig_on_joined or sig_on_error follows. NULL if it cannot start at all. */
	struct sig_part *(*join)(struct sig *s, struct load_part *p, const char *room,
	                         const char *name);
	/* Sends our publish offer (after sig_on_joined); sig_on_publish_answer follows. */
	int (*publish)(struct sig_part *sp, const char *offer_sdp);
	/* Answers the subscribe offer with this sub number (from sig_on_subscribe_offer). */
	int (*subscribe_answer)(struct sig_part *sp, unsigned sub, const char *answer_sdp);
	/* Leaves the room and frees sp. */
	void (*leave)(struct sig_part *sp);
	/* Runs the adapter's event loop for about timeout_ms (at most), then returns. */
	void (*service)(struct sig *s, int timeout_ms);
};

/* Callbacks into the core, on the signalling thread. */

/* The participant is in the room and may publish. */
void sig_on_joined(struct load_part *p);
/* The server's answer to our publish offer. */
void sig_on_publish_answer(struct load_part *p, const char *sdp);
/* The server offers media to receive. sub names the peer connection: the same number
   again is a re-offer on the same connection (kamer: always 0; an adapter whose server
   uses one connection per publisher numbers them 0, 1, 2...; at most LOAD_MAX_SUBS). The
   core answers with ops->subscribe_answer(sp, sub, answer). */
void sig_on_subscribe_offer(struct load_part *p, unsigned sub, const char *sdp);
/* Something failed for this participant; why is a short static or copied string. The
   participant counts as failed; the core calls leave() later. */
void sig_on_error(struct load_part *p, const char *why);

/* Peer connections a participant may receive on. */
#define LOAD_MAX_SUBS 64

extern const struct sig_ops sig_kamer_ops;
/* Defined by sig_janus.c when it is built in (a weak reference in main.c). */
extern const struct sig_ops sig_janus_ops;

#endif
