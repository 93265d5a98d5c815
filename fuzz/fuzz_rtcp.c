/* fuzz_rtcp.c - iterate any bytes as a compound RTCP packet and run every typed parser on
 * each packet; what parses is written back with the builders and must parse the same. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "rtc/rtcp.h"

/* A broken invariant is a bug in our code, not bad input: abort so libFuzzer reports it. */
static void must(int ok)
{
	if (!ok)
		abort();
}

static uint8_t out[4 * 65536];

static void check_reports(const struct rtcp_pkt *k, uint32_t ssrc, const struct rtcp_sr *sr,
                          uint8_t nblocks, const uint8_t *blocks)
{
	struct rtcp_report_block b[RTCP_MAX_RC], b2;
	struct rtcp_pkt k2;
	struct rtcp_iter it;
	int n;

	must(blocks >= k->p && blocks + RTCP_BLOCK_LEN * (size_t)nblocks <= k->p + k->len);
	for (size_t i = 0; i < nblocks; i++) {
		rtcp_report_block_read(blocks, i, &b[i]);
		must(b[i].cumulative_lost >= -0x800000 && b[i].cumulative_lost <= 0x7fffff);
	}
	if (sr)
		n = rtcp_write_sr(out, sizeof(out), ssrc, sr->ntp, sr->rtp_ts, sr->packets,
		                  sr->octets, b, nblocks);
	else
		n = rtcp_write_rr(out, sizeof(out), ssrc, b, nblocks);
	must(n > 0);
	rtcp_iter_init(&it, out, (size_t)n);
	must(rtcp_iter_next(&it, &k2) == 1 && rtcp_iter_next(&it, &k2) == 0);
	must(k2.pt == k->pt && k2.count == nblocks);
	const uint8_t *blocks2;
	if (sr) {
		struct rtcp_sr s2;
		must(rtcp_parse_sr(&k2, &s2) == 0);
		must(s2.ssrc == ssrc && s2.ntp == sr->ntp && s2.rtp_ts == sr->rtp_ts &&
		     s2.packets == sr->packets && s2.octets == sr->octets && s2.nblocks == nblocks);
		blocks2 = s2.blocks;
	} else {
		struct rtcp_rr r2;
		must(rtcp_parse_rr(&k2, &r2) == 0 && r2.ssrc == ssrc && r2.nblocks == nblocks);
		blocks2 = r2.blocks;
	}
	for (size_t i = 0; i < nblocks; i++) {
		rtcp_report_block_read(blocks2, i, &b2);
		must(b2.ssrc == b[i].ssrc && b2.fraction_lost == b[i].fraction_lost &&
		     b2.cumulative_lost == b[i].cumulative_lost &&
		     b2.highest_seq == b[i].highest_seq && b2.jitter == b[i].jitter &&
		     b2.lsr == b[i].lsr && b2.dlsr == b[i].dlsr);
	}
}

/* The writer packs the seqs into PID/BLP again: the same set must come back. */
static void check_nack(uint32_t s, uint32_t m, const uint16_t *seqs, size_t n)
{
	static uint8_t in_set[65536 / 8], out_set[65536 / 8];
	static uint16_t again[LIM_NACK_SEQS * 17];
	struct rtcp_iter it;
	struct rtcp_pkt k2;
	uint32_t s2, m2;

	if (n == 0)
		return;
	int len = rtcp_write_nack(out, sizeof(out), s, m, seqs, n);
	must(len > 0);
	rtcp_iter_init(&it, out, (size_t)len);
	must(rtcp_iter_next(&it, &k2) == 1);
	must(rtcp_parse_fb(&k2, &s2, &m2) == 0 && s2 == s && m2 == m);
	int n2 = rtcp_nack_expand(&k2, again, sizeof(again) / sizeof(again[0]));
	must(n2 > 0 && (size_t)n2 <= n);
	memset(in_set, 0, sizeof(in_set));
	memset(out_set, 0, sizeof(out_set));
	for (size_t i = 0; i < n; i++)
		in_set[seqs[i] / 8] |= (uint8_t)(1u << (seqs[i] % 8));
	for (int i = 0; i < n2; i++)
		out_set[again[i] / 8] |= (uint8_t)(1u << (again[i] % 8));
	must(memcmp(in_set, out_set, sizeof(in_set)) == 0);
}

static void check_packet(const struct rtcp_pkt *k)
{
	struct rtcp_sr sr;
	struct rtcp_rr rr;
	uint32_t s, m;
	uint16_t seqs[LIM_NACK_SEQS];
	uint32_t ssrcs[4];
	uint64_t br;
	size_t n;
	int rc;

	rc = rtcp_parse_sr(k, &sr);
	must(rc == 0 || rc == ERR_PROTO || rc == ERR_INVAL);
	if (rc == 0)
		check_reports(k, sr.ssrc, &sr, sr.nblocks, sr.blocks);
	rc = rtcp_parse_rr(k, &rr);
	must(rc == 0 || rc == ERR_PROTO || rc == ERR_INVAL);
	if (rc == 0)
		check_reports(k, rr.ssrc, NULL, rr.nblocks, rr.blocks);

	rc = rtcp_parse_fb(k, &s, &m);
	must(rc == 0 || rc == ERR_PROTO || rc == ERR_INVAL);
	if (rc != 0)
		return;

	rc = rtcp_nack_expand(k, seqs, LIM_NACK_SEQS);
	must(rc <= LIM_NACK_SEQS && (rc >= 0 || rc == ERR_PROTO || rc == ERR_INVAL));
	if (rc > 0)
		check_nack(s, m, seqs, (size_t)rc);

	int cnt = rtcp_fir_count(k);
	must(cnt > 0 || cnt == ERR_PROTO || cnt == ERR_INVAL);
	for (int i = 0; i < cnt; i++) {
		uint32_t fs;
		uint8_t sn;
		must(rtcp_fir_get(k, (size_t)i, &fs, &sn) == 0);
		int len = rtcp_write_fir(out, sizeof(out), s, fs, sn);
		struct rtcp_pkt k2 = {
		    .pt = out[1], .count = out[0] & 0x1f, .p = out, .len = (size_t)len};
		uint32_t fs2;
		uint8_t sn2;
		must(len == 20 && rtcp_fir_count(&k2) == 1);
		must(rtcp_fir_get(&k2, 0, &fs2, &sn2) == 0 && fs2 == fs && sn2 == sn);
	}
	if (cnt > 0) {
		uint32_t fs;
		uint8_t sn;
		must(rtcp_fir_get(k, (size_t)cnt, &fs, &sn) == ERR_NOTFOUND);
	}

	rc = rtcp_parse_remb(k, &br, ssrcs, 4, &n);
	must(rc == 0 || rc == ERR_NOTFOUND || rc == ERR_PROTO || rc == ERR_INVAL);
	if (rc == 0) {
		/* Any bitrate a REMB can carry is written back exactly. */
		uint32_t ssrcs2[4];
		uint64_t br2;
		size_t n2;
		must(n <= 4);
		int len = rtcp_write_remb(out, sizeof(out), s, br, ssrcs, n);
		struct rtcp_pkt k2 = {
		    .pt = out[1], .count = out[0] & 0x1f, .p = out, .len = (size_t)len};
		must(len == (int)(20 + 4 * n));
		must(rtcp_parse_remb(&k2, &br2, ssrcs2, 4, &n2) == 0);
		must(br2 == br && n2 == n && memcmp(ssrcs2, ssrcs, 4 * n) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtcp_iter it;
	struct rtcp_pkt k;
	size_t total = 0;
	int rc;

	rtcp_iter_init(&it, data, size);
	while ((rc = rtcp_iter_next(&it, &k)) == 1) {
		must(k.p == data + total && k.len >= 4 && k.len % 4 == 0);
		must(k.pt == k.p[1] && k.count == (k.p[0] & 0x1f));
		total += k.len;
		must(total <= size);
		check_packet(&k);
	}
	must(rc == 0 || rc == ERR_PROTO);
	if (rc == 0)
		must(total == size);
	return 0;
}
