/* room.c - the live rooms of meetings: roster, lobby, and the messages about them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "signal/internal.h"
#include "signal/place.h"

struct room *room_find(struct signal *sig, const char *id)
{
	for (struct room *r = sig->rooms; r; r = r->next) {
		if (strcmp(r->id, id) == 0)
			return r;
	}
	return NULL;
}

#define SAMPLE_MS 200

void room_sample_workers(struct signal *sig)
{
	if (sig->now_ms - sig->busy_at_ms < SAMPLE_MS)
		return;
	double dt = (double)(sig->now_ms - sig->busy_at_ms) / 1000.0;
	size_t n = media_workers(sig->media);
	for (size_t i = 0; i < n; i++) {
		double cpu = media_worker_cpu_seconds(sig->media, i);
		sig->busy[i] = sig->busy_at_ms ? (cpu - sig->cpu_seen[i]) / dt : 0;
		sig->cpu_seen[i] = cpu;
	}
	sig->busy_at_ms = sig->now_ms;
}

/* The worker a member's handle names; that of the room for a member without a handle yet
   (or with one naming no worker). */
static unsigned worker_of(const struct room *r, uint64_t handle, size_t nworkers)
{
	size_t w = (size_t)(handle & ((1u << MEDIA_WORKER_BITS) - 1));
	return handle && w < nworkers ? (unsigned)w : r->worker;
}

/* The worker for a new room (see signal_set_spread). People are counted here, on the
   control thread, so that rooms opened in a burst are placed before any of their media has
   arrived: each member on the worker that carries it, the rest of the room's weight (those
   in the lobby, or the one about to come into an empty room) on the room's worker. */
static unsigned place(const struct signal *sig)
{
	size_t people[LIM_MEDIA_WORKERS] = {0};
	size_t nworkers = media_workers(sig->media);
	for (const struct room *r = sig->rooms; r; r = r->next) {
		people[r->worker] += place_weight(r->n + r->nwaiting) - r->n;
		for (size_t i = 0; i < r->n; i++)
			people[worker_of(r, r->members[i]->handle, nworkers)]++;
	}
	return (unsigned)place_pick(people, sig->busy, nworkers, sig->spread);
}

unsigned room_member_worker(const struct signal *sig, const struct room *r)
{
	size_t in_room[LIM_MEDIA_WORKERS] = {0};
	size_t nworkers = media_workers(sig->media), counted = 0;
	for (size_t i = 0; i < r->n; i++) {
		uint64_t h = r->members[i]->handle;
		if (h) {
			in_room[worker_of(r, h, nworkers)]++;
			counted++;
		}
	}
	return (unsigned)place_member(in_room, nworkers, r->worker, counted, sig->spread_at);
}

struct room *room_open(struct signal *sig, const char *id)
{
	struct room *r = room_find(sig, id);
	if (r)
		return r;
	if (sig->nrooms >= LIM_ROOMS)
		return NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	snprintf(r->id, sizeof(r->id), "%s", id);
	r->worker = place(sig);
	r->next = sig->rooms;
	sig->rooms = r;
	sig->nrooms++;
	return r;
}

static void room_close_if_empty(struct signal *sig, struct room *r)
{
	if (r->n > 0 || r->nwaiting > 0)
		return;
	for (struct room **pp = &sig->rooms; *pp; pp = &(*pp)->next) {
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	}
	sig->nrooms--;
	free(r);
}

json_t *room_meeting_json(const struct room *r)
{
	return json_pack("{s:s, s:s, s:s, s:b, s:b}", "id", r->id, "title", r->title, "level",
	                 r->level, "locked", r->locked, "lobby", r->lobby);
}

static const char *kind_name(enum kind k)
{
	switch (k) {
	case KIND_ACCOUNT: return "account";
	case KIND_GUEST: return "guest";
	case KIND_PHONE: return "phone";
	case KIND_RECORDER: return "recorder";
	}
	return "guest";
}

static json_t *roster_entry(const struct session *m)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:b, s:b, s:b, s:b, s:b}", "id", m->id, "name",
	                 m->name, "kind", kind_name(m->kind), "role",
	                 m->host ? "host" : "participant", "audio", m->audio_on, "video",
	                 m->video_on, "hand", m->hand, "screen", m->ssrc[SRC_SCREEN] != 0,
	                 "reconnecting", m->send == NULL);
}

json_t *room_roster_json(const struct room *r, const struct session *self)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < r->n; i++) {
		const struct session *m = r->members[i];
		json_t *o = roster_entry(m);
		if (m == self)
			json_object_set_new(o, "self", json_true());
		json_array_append_new(arr, o);
	}
	return arr;
}

void room_broadcast(struct room *r, json_t *j)
{
	char *txt = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!txt)
		return;
	size_t len = strlen(txt);
	for (size_t i = 0; i < r->n; i++) {
		struct session *m = r->members[i];
		if (m->send)
			m->send(m->ctx, txt, len, 0);
	}
	free(txt);
}

/* Each member gets the roster with "self": true in their own entry, the same bytes as
   {"type":"roster","participants":room_roster_json(r, member)} compact. The roster is
   written once per broadcast and each member's copy has the mark spliced in: writing the
   whole roster for each member made a broadcast n² entries through jansson, and a crowd
   joining one by one n³. */
void room_broadcast_roster(struct room *r)
{
	static const char head[] = "{\"type\":\"roster\",\"participants\":[";
	static const char self[] = ",\"self\":true";
	size_t n = r->n;
	size_t *end = calloc(n ? n : 1, sizeof(*end)); /* where each entry's '}' stands */
	char *body = NULL, *msg = NULL;
	size_t len = 0;
	FILE *f = end ? open_memstream(&body, &len) : NULL;
	if (!f)
		goto out;
	fputs(head, f);
	int ok = 1;
	for (size_t i = 0; i < n && ok; i++) {
		json_t *o = roster_entry(r->members[i]);
		char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
		json_decref(o);
		ok = text && fprintf(f, "%s%s", i ? "," : "", text) >= 0;
		free(text);
		end[i] = (size_t)ftell(f) - 1;
	}
	fputs("]}", f);
	if (fclose(f) != 0 || !ok || !(msg = malloc(len + sizeof(self))))
		goto out;
	for (size_t k = 0; k < n; k++) {
		struct session *m = r->members[k];
		if (!m->send)
			continue;
		memcpy(msg, body, end[k]);
		memcpy(msg + end[k], self, sizeof(self) - 1);
		memcpy(msg + end[k] + sizeof(self) - 1, body + end[k], len - end[k] + 1);
		m->send(m->ctx, msg, len + sizeof(self) - 1, 0);
	}
out:
	if (!msg)
		log_error("signal", "no memory for a roster");
	free(end);
	free(body);
	free(msg);
}

void room_send_waiting(struct room *r)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < r->nwaiting; i++) {
		const struct session *w = r->waiting[i];
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "id", w->id, "name",
		                                     w->name, "kind", kind_name(w->kind)));
	}
	for (size_t i = 0; i < r->n; i++) {
		struct session *m = r->members[i];
		if (m->host && m->send)
			send_json(
			    m, json_pack("{s:s, s:O}", "type", "waiting", "participants", arr), 0);
	}
	json_decref(arr);
}

int room_add_member(struct room *r, struct session *se)
{
	if (r->n == LIM_ROOM_PARTICIPANTS)
		return ERR_LIMIT;
	r->members[r->n++] = se;
	se->room = r;
	se->state = S_JOINED;
	se->sig->nparticipants++;
	return 0;
}

int room_add_waiting(struct room *r, struct session *se)
{
	if (r->nwaiting == LIM_ROOM_PARTICIPANTS)
		return ERR_LIMIT;
	r->waiting[r->nwaiting++] = se;
	se->room = r;
	se->state = S_LOBBY;
	return 0;
}

static int remove_from(struct session **arr, size_t *n, struct session *se)
{
	for (size_t i = 0; i < *n; i++) {
		if (arr[i] == se) {
			memmove(&arr[i], &arr[i + 1], (*n - i - 1) * sizeof(arr[0]));
			(*n)--;
			return 1;
		}
	}
	return 0;
}

void room_drop_waiting(struct room *r, struct session *se)
{
	if (remove_from(r->waiting, &r->nwaiting, se)) {
		se->room = NULL;
		se->state = S_NEW;
		room_send_waiting(r);
	}
}

struct session *room_member(struct room *r, const char *participant_id)
{
	for (size_t i = 0; i < r->n; i++) {
		if (strcmp(r->members[i]->id, participant_id) == 0)
			return r->members[i];
	}
	return NULL;
}

struct session *room_waiting(struct room *r, const char *participant_id)
{
	for (size_t i = 0; i < r->nwaiting; i++) {
		if (strcmp(r->waiting[i]->id, participant_id) == 0)
			return r->waiting[i];
	}
	return NULL;
}

void room_leave(struct session *se)
{
	struct signal *sig = se->sig;
	struct room *r = se->room;
	if (!r)
		return;
	if (se->state == S_LOBBY) {
		room_drop_waiting(r, se);
		room_close_if_empty(sig, r);
		return;
	}
	if (remove_from(r->members, &r->n, se))
		sig->nparticipants--;
	if (se->handle && media_remove(sig->media, se->handle) != 0)
		log_error("signal", "media queue full: a participant was not removed");
	sub_forget(se);
	se->room = NULL;
	se->published = 0;
	memset(se->ssrc, 0, sizeof(se->ssrc));
	if (r->n == 0) {
		/* Those in the lobby keep waiting for a host to come. */
		room_close_if_empty(sig, r);
		return;
	}
	room_broadcast_roster(r);
	for (size_t i = 0; i < r->n; i++)
		sub_renegotiate(r->members[i]);
}
