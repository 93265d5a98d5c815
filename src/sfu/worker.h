/* worker.h - one media worker: a thread with its own UDP port, its transports and its rooms.
 *
 * media.c starts one per core and routes each participant's commands to the worker
 * that carries its room; nothing here is shared between workers except the DTLS
 * certificate. All functions but the command ones and the readers of counters and
 * levels are for the worker's own thread. */
#ifndef KAMER_SFU_WORKER_H
#define KAMER_SFU_WORKER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "rtc/dtls.h"
#include "sfu/media.h"

struct worker;
struct relay;

/* Binds the port and starts the thread, pinned to the index-th CPU it may use; of cfg it
   takes what each transport may send (cfg->limit, sfu/meter.h) and whether the thread runs
   at real-time priority (cfg->realtime, base/prio.h). The DTLS context and the relay
   between workers stay the caller's. NULL with a reason in why on failure. */
struct worker *worker_start(unsigned index, const struct sockaddr *bind,
                            const struct media_config *cfg, struct dtls_ctx *dtls,
                            struct relay *relay, char *why, size_t why_cap);
/* Stops the thread; what the worker carries stays until worker_stop. Stopping every worker
   first lets none of them send to one already freed. */
void worker_halt(struct worker *w);
/* Stops the thread (if it still runs) and frees the worker and everything it carries. */
void worker_stop(struct worker *w);

uint16_t worker_port(const struct worker *w);
const struct media_counters *worker_counters(const struct worker *w);
double worker_cpu_seconds(const struct worker *w);
double worker_dtls_cpu_seconds(const struct worker *w);

/* Commands from the control thread, run in order on the worker (see media.h). */
int worker_conn_add(struct worker *w, const struct media_conn_spec *s);
int worker_conn_fingerprint(struct worker *w, uint64_t participant, enum media_role role,
                            const uint8_t fp[32]);
int worker_publish(struct worker *w, uint64_t participant, const struct media_track_spec *t,
                   size_t n);
int worker_subscribe(struct worker *w, uint64_t participant, const struct media_sub_spec *s,
                     size_t n);
int worker_remove(struct worker *w, uint64_t participant);
int worker_mute(struct worker *w, uint64_t participant, enum media_kind kind, int muted);
size_t worker_levels(struct worker *w, struct media_level *out, size_t cap);

#endif
