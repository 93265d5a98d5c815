/* core.c - the participants' side of the signalling: turns the adapter's callbacks into
 * transports, offers and answers, and hands the transports to the media threads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "core.h"
#include "rtc/sdp.h"
#include "rtc/sdp_client.h"

struct core g_core;

static struct sdp *sdp_scratch(void)
{
	/* Parsed SDP is large (sdp.h); one buffer serves the signalling thread. */
	static struct sdp *s;
	if (!s)
		s = malloc(sizeof(*s));
	return s;
}

static void part_fail(struct load_part *p, const char *why)
{
	if (p->failed)
		return;
	p->failed = 1;
	snprintf(p->why, sizeof(p->why), "%s", why);
	log_warn("load", "%s failed: %s", p->name, why);
}

static void local_for(struct load_part *p, struct peer *pc, struct sdp_client_local *l, char *addr,
                      size_t cap)
{
	uint16_t port = 0;
	memset(l, 0, sizeof(*l));
	l->ice_ufrag = peer_ufrag(pc);
	l->ice_pwd = peer_pwd(pc);
	l->fingerprint = load_fingerprint();
	l->cname = p->name;
	l->stream_id = p->name;
	if (peer_local(pc, addr, cap, &port) == 0) {
		l->cand_addr = addr;
		l->cand_port = port;
	}
	l->session_id = (uint64_t)p->idx + 1;
}

void sig_on_joined(struct load_part *p)
{
	if (p->failed || p->joined)
		return;
	p->joined = 1;
	p->t_joined_ns = load_now_ns();
	gen_init(&p->gen, p->idx, g_core.opts.video_kbps, g_core.opts.audio_only, p->t_joined_ns);
	p->pub = peer_new(p, PEER_PUB, 0, (struct sockaddr *)&g_core.local);
	if (!p->pub) {
		part_fail(p, "cannot open a UDP socket");
		return;
	}
	char *buf = malloc(LIM_SDP_LEN), addr[64];
	struct sdp_client_local l;
	local_for(p, p->pub, &l, addr, sizeof(addr));
	int n = buf ? sdp_write_client_offer(buf, LIM_SDP_LEN, &l, p->gen.audio_ssrc,
	                                     p->gen.video_ssrc, LOAD_AUDIO_LEVEL_EXT)
	            : ERR_NOMEM;
	if (n < 0 || g_core.ops->publish(p->sp, buf) != 0)
		part_fail(p, "cannot publish");
	free(buf);
}

void sig_on_publish_answer(struct load_part *p, const char *text)
{
	struct sdp *sdp = sdp_scratch();
	const char *why = NULL;
	if (p->failed || !p->pub || p->pub_handed)
		return;
	if (!sdp || sdp_parse(sdp, text, strlen(text), &why) != 0) {
		part_fail(p, why ? why : "bad publish answer");
		return;
	}
	if (peer_set_remote(p->pub, sdp, text, 1) != 0) {
		part_fail(p, "the publish answer lacks ICE, fingerprint or candidate");
		return;
	}
	if (worker_add(p->w, p->pub) != 0) {
		part_fail(p, "cannot start the publish transport");
		return;
	}
	p->pub_handed = 1;
}

void sig_on_subscribe_offer(struct load_part *p, unsigned sub, const char *text)
{
	struct sdp *sdp = sdp_scratch();
	const char *why = NULL;
	if (p->failed)
		return;
	if (sub >= LOAD_MAX_SUBS) {
		part_fail(p, "too many subscribe connections");
		return;
	}
	if (!sdp || sdp_parse(sdp, text, strlen(text), &why) != 0) {
		part_fail(p, why ? why : "bad subscribe offer");
		return;
	}
	int fresh = !p->subs[sub];
	if (fresh) {
		p->subs[sub] = peer_new(p, PEER_SUB, sub, (struct sockaddr *)&g_core.local);
		if (!p->subs[sub]) {
			part_fail(p, "cannot open a UDP socket");
			return;
		}
		if (peer_set_remote(p->subs[sub], sdp, text, 0) != 0) {
			part_fail(p, "the subscribe offer lacks ICE, fingerprint or candidate");
			return;
		}
	}
	char *buf = malloc(LIM_SDP_LEN), addr[64];
	struct sdp_client_local l;
	local_for(p, p->subs[sub], &l, addr, sizeof(addr));
	int n = buf ? sdp_write_client_answer(buf, LIM_SDP_LEN, sdp, &l) : ERR_NOMEM;
	if (n < 0 || g_core.ops->subscribe_answer(p->sp, sub, buf) != 0) {
		free(buf);
		part_fail(p, "cannot answer a subscribe offer");
		return;
	}
	free(buf);
	if (fresh) {
		if (!p->t_sub_ns)
			p->t_sub_ns = load_now_ns(); /* before the media thread can key it */
		if (worker_add(p->w, p->subs[sub]) != 0) {
			part_fail(p, "cannot start a subscribe transport");
			return;
		}
		p->subs_handed |= 1ull << sub;
	}
}

void sig_on_error(struct load_part *p, const char *why)
{
	p->sig_errors++;
	part_fail(p, why);
}
