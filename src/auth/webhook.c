/* webhook.c - delivering the outbox with libcurl on a thread of its own. */
#include "auth/webhook.h"

#include <curl/curl.h>
#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/prio.h"

#define POLL_MS     1000
#define BATCH       16
#define BACKOFF_MAX 60

struct webhook {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop, kicked;
	sqlite3 *db;
	CURL *curl;
};

void webhook_sign(const char *secret, const char *timestamp, const char *body, size_t len,
                  char out[72])
{
	crypto_auth_hmacsha256_state st;
	uint8_t mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_init(&st, (const uint8_t *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)timestamp, strlen(timestamp));
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)".", 1);
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	memcpy(out, "sha256=", 7);
	sodium_bin2hex(out + 7, 65, mac, sizeof(mac));
}

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p, (void)arg;
	return size * n;
}

/* 0 on a 2xx answer; otherwise a short reason in why. */
static int post(struct webhook *w, const char *url, const char *secret, const char *id,
                const char *body, char *why, size_t cap)
{
	char ts[24], sig[72], h_id[96], h_ts[64], h_sig[112];
	snprintf(ts, sizeof(ts), "%lld", (long long)clock_unix());
	webhook_sign(secret, ts, body, strlen(body), sig);
	snprintf(h_id, sizeof(h_id), "X-Kamer-Event: %s", id);
	snprintf(h_ts, sizeof(h_ts), "X-Kamer-Timestamp: %s", ts);
	snprintf(h_sig, sizeof(h_sig), "X-Kamer-Signature: %s", sig);
	struct curl_slist *hs = NULL;
	hs = curl_slist_append(hs, "Content-Type: application/json");
	hs = curl_slist_append(hs, h_id);
	hs = curl_slist_append(hs, h_ts);
	hs = curl_slist_append(hs, h_sig);
	CURL *c = w->curl;
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 5L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 3L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hs);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	CURLcode rc = curl_easy_perform(c);
	long status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hs);
	if (rc != CURLE_OK) {
		snprintf(why, cap, "%s", curl_easy_strerror(rc));
		return -1;
	}
	if (status < 200 || status > 299) {
		snprintf(why, cap, "HTTP %ld", status);
		return -1;
	}
	return 0;
}

struct due {
	char id[40], tenant[40], url[520], secret[72];
	char *body;
	int attempts;
};

static size_t take_due(struct webhook *w, struct due *out, size_t cap)
{
	sqlite3_stmt *st;
	size_t n = 0;
	if (sqlite3_prepare_v2(w->db,
	                       "SELECT o.id, o.tenant, w.url, w.secret, o.body, o.attempts"
	                       " FROM outbox o JOIN webhooks w ON w.tenant = o.tenant"
	                       " WHERE o.delivered_at IS NULL AND o.next_at <= ?"
	                       " ORDER BY o.created_at LIMIT ?",
	                       -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_int64(st, 1, clock_unix());
	sqlite3_bind_int(st, 2, (int)cap);
	while (n < cap && sqlite3_step(st) == SQLITE_ROW) {
		struct due *e = &out[n];
		snprintf(e->id, sizeof(e->id), "%s", sqlite3_column_text(st, 0));
		snprintf(e->tenant, sizeof(e->tenant), "%s", sqlite3_column_text(st, 1));
		snprintf(e->url, sizeof(e->url), "%s", sqlite3_column_text(st, 2));
		snprintf(e->secret, sizeof(e->secret), "%s", sqlite3_column_text(st, 3));
		e->body = strdup((const char *)sqlite3_column_text(st, 4));
		e->attempts = sqlite3_column_int(st, 5);
		if (e->body)
			n++;
	}
	sqlite3_finalize(st);
	return n;
}

static void settle(struct webhook *w, const struct due *e, int ok, const char *why)
{
	sqlite3_stmt *st;
	const char *sql = ok ? "UPDATE outbox SET delivered_at = ?3, attempts = attempts + 1"
	                       " WHERE id = ?1 AND tenant = ?2"
	                     : "UPDATE outbox SET attempts = attempts + 1, next_at = ?3 + ?4,"
	                       " last_error = ?5 WHERE id = ?1 AND tenant = ?2";
	if (sqlite3_prepare_v2(w->db, sql, -1, &st, NULL) != SQLITE_OK)
		return;
	int shift = e->attempts < 6 ? e->attempts : 6;
	int backoff = 1 << shift;
	sqlite3_bind_text(st, 1, e->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, e->tenant, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, clock_unix());
	if (!ok) {
		sqlite3_bind_int(st, 4, backoff < BACKOFF_MAX ? backoff : BACKOFF_MAX);
		sqlite3_bind_text(st, 5, why, -1, SQLITE_STATIC);
	}
	if (sqlite3_step(st) != SQLITE_DONE)
		log_error("webhook", "cannot record a delivery: %s", sqlite3_errmsg(w->db));
	sqlite3_finalize(st);
}

static void *run(void *arg)
{
	struct webhook *w = arg;
	struct due due[BATCH];
	(void)prio_give_way(PRIO_CONTROL_NICE);
	pthread_mutex_lock(&w->mu);
	while (!w->stop) {
		w->kicked = 0;
		pthread_mutex_unlock(&w->mu);
		size_t n = take_due(w, due, BATCH);
		for (size_t i = 0; i < n; i++) {
			char why[128] = "";
			int ok = post(w, due[i].url, due[i].secret, due[i].id, due[i].body, why,
			              sizeof(why)) == 0;
			if (!ok)
				log_warn("webhook",
				         "event %s for tenant %s not delivered (%s); retrying",
				         due[i].id, due[i].tenant[0] ? due[i].tenant : "(server)",
				         why);
			settle(w, &due[i], ok, why);
			free(due[i].body);
		}
		pthread_mutex_lock(&w->mu);
		if (n == BATCH || w->kicked || w->stop)
			continue;
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += (long)POLL_MS * 1000000L;
		ts.tv_sec += ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&w->cv, &w->mu, &ts);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

struct webhook *webhook_start(const char *data_dir, char *why, size_t cap)
{
	char path[PATH_MAX];
	struct webhook *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	snprintf(path, sizeof(path), "%s/kamer.db", data_dir);
	if (sqlite3_open_v2(path, &w->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		snprintf(why, cap, "cannot open %s: %s", path, sqlite3_errmsg(w->db));
		goto fail;
	}
	sqlite3_busy_timeout(w->db, 2000);
	w->curl = curl_easy_init();
	if (!w->curl) {
		snprintf(why, cap, "cannot start libcurl");
		goto fail;
	}
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (pthread_create(&w->thread, NULL, run, w) != 0) {
		snprintf(why, cap, "cannot start the webhook thread");
		pthread_mutex_destroy(&w->mu);
		pthread_cond_destroy(&w->cv);
		goto fail;
	}
	(void)pthread_setname_np(w->thread, "kamer-webhook");
	return w;
fail:
	if (w->curl)
		curl_easy_cleanup(w->curl);
	sqlite3_close(w->db);
	free(w);
	return NULL;
}

void webhook_kick(struct webhook *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->kicked = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

void webhook_stop(struct webhook *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	curl_easy_cleanup(w->curl);
	sqlite3_close(w->db);
	free(w);
}
