/* main.c - kamerd: configuration, start-up and clean shutdown. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include <syslog.h>

#include "api/http.h"
#include "auth/events.h"
#include "auth/guard.h"
#include "auth/policy.h"
#include "auth/webhook.h"
#include "base/clock.h"
#include "base/ct.h"
#include "store/account.h"
#include "store/meeting.h"
#include "api/routes.h"
#include "base/limits.h"
#include "base/log.h"
#include "base/prio.h"
#include "net/udp.h"
#include "rtc/srtp.h"
#include "sfu/media.h"
#include "signal/place.h"
#include "signal/session.h"
#include "store/db.h"

#define DEFAULT_DATA_DIR "./data"
#define DEFAULT_LISTEN   "127.0.0.1:8080"
#define DEFAULT_MEDIA    "127.0.0.1:10000"

static struct http *g_http;

static void on_signal(int sig)
{
	(void)sig;
	if (g_http)
		http_stop_soon(g_http);
}

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: kamerd [options]\n"
	        "\n"
	        "  --data-dir DIR       where the store lives (default " DEFAULT_DATA_DIR ")\n"
	        "  --listen ADDR:PORT   HTTP and WebSocket (default " DEFAULT_LISTEN ")\n"
	        "  --media ADDR:PORT    the first UDP port for media (default " DEFAULT_MEDIA ");\n"
	        "                       media worker i uses PORT + i\n"
	        "  --media-workers N    media threads, each carrying whole rooms up to\n"
	        "                       --room-spread people (default: one per CPU kamerd may\n"
	        "                       run on; at most 64)\n"
	        "  --media-placement P  pack (default): new rooms go to the first worker that\n"
	        "                       is not busy, so that light load wakes one core; spread:\n"
	        "                       to the worker with the fewest people\n"
	        "  --room-spread N      a room's members after the Nth are spread over the\n"
	        "                       media workers, one more worker for every N members;\n"
	        "                       0: never (default %d, at most %d)\n"
	        "  --media-priority P   normal (default): the media workers at normal priority\n"
	        "                       with a short time slice; realtime: at real-time\n"
	        "                       priority (SCHED_FIFO), served before anything else on\n"
	        "                       their CPU; needs CAP_SYS_NICE or an RLIMIT_RTPRIO of 1\n"
	        "  --media-limit-kbps N what one transport may send us, in kbit/s; more is\n"
	        "                       dropped (default %u; 0: no limit)\n"
	        "  --media-limit-pps N  and in datagrams per second (default %u; 0: no limit)\n"
	        "  --announce ADDR      address put in ICE candidates when it differs from the\n"
	        "                       bound one (e.g. this machine's LAN address)\n"
	        "  --ceiling LEVEL      the highest classification this server carries:\n"
	        "                       ongerubriceerd, depv (default), stg-confidentieel,\n"
	        "                       stg-geheim, stg-zeer-geheim\n"
	        "  --retention-hours N  how long a meeting is kept after its end (default 168)\n"
	        "  --secure-cookies     kamerd is behind TLS: session cookies get Secure\n"
	        "  --rate-limit N       failed look-ups, joins or logins allowed per address\n"
	        "                       and minute (default 20; per account N/2, overall 50N)\n"
	        "  --verbose            log more\n"
	        "  --help               this text\n"
	        "  --version            the version\n",
	        PLACE_SPREAD_AT, LIM_ROOM_PARTICIPANTS, METER_KBPS_DEFAULT, METER_PPS_DEFAULT);
}

/* A whole number from lo to hi for the option name, into *out; 0, or -1 having said why. */
static int parse_number(const char *name, const char *arg, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(arg, &end, 10);
	if (!*arg || *end || errno || v < lo || v > hi) {
		fprintf(stderr, "kamerd: --%s wants %ld to %ld\n", name, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

/* One of the option name's two values: *second is 1 for the second; 0, or -1 having said
   why. */
static int parse_either(const char *name, const char *arg, const char *first, const char *other,
                        int *second)
{
	if (strcmp(arg, first) != 0 && strcmp(arg, other) != 0) {
		fprintf(stderr, "kamerd: --%s wants %s or %s\n", name, first, other);
		return -1;
	}
	*second = strcmp(arg, other) == 0;
	return 0;
}

int main(int argc, char **argv)
{
	const char *data_dir = DEFAULT_DATA_DIR, *listen = DEFAULT_LISTEN,
	           *media_addr = DEFAULT_MEDIA;
	const char *announce = "";
	enum level ceiling = LEVEL_DEPV;
	long retention_hours = 168;
	int secure_cookies = 0;
	long rate = 20;
	long workers = 0;
	int spread = 0;
	int realtime = 0;
	long room_spread = PLACE_SPREAD_AT;
	long limit_kbps = METER_KBPS_DEFAULT, limit_pps = METER_PPS_DEFAULT;
	static const struct option opts[] = {
	    {"data-dir", required_argument, NULL, 'd'},
	    {"listen", required_argument, NULL, 'l'},
	    {"media", required_argument, NULL, 'm'},
	    {"announce", required_argument, NULL, 'a'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {"ceiling", required_argument, NULL, 'c'},
	    {"retention-hours", required_argument, NULL, 'r'},
	    {"secure-cookies", no_argument, NULL, 's'},
	    {"rate-limit", required_argument, NULL, 'R'},
	    {"media-workers", required_argument, NULL, 'w'},
	    {"media-placement", required_argument, NULL, 'p'},
	    {"media-priority", required_argument, NULL, 'y'},
	    {"room-spread", required_argument, NULL, 'S'},
	    {"media-limit-kbps", required_argument, NULL, 'K'},
	    {"media-limit-pps", required_argument, NULL, 'P'},
	    {NULL, 0, NULL, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': data_dir = optarg; break;
		case 'l': listen = optarg; break;
		case 'm': media_addr = optarg; break;
		case 'a': announce = optarg; break;
		case 'v': log_set_level(LOGL_DEBUG); break;
		case 'c':
			if (level_parse(optarg, &ceiling) != 0) {
				fprintf(stderr, "kamerd: --ceiling: unknown level '%s'\n", optarg);
				return 2;
			}
			break;
		case 'r':
			if (parse_number("retention-hours", optarg, 0, 24L * 3650,
			                 &retention_hours))
				return 2;
			break;
		case 's': secure_cookies = 1; break;
		case 'R':
			if (parse_number("rate-limit", optarg, 1, 100000, &rate))
				return 2;
			break;
		case 'w':
			if (parse_number("media-workers", optarg, 1, LIM_MEDIA_WORKERS, &workers))
				return 2;
			break;
		case 'p':
			if (parse_either("media-placement", optarg, "pack", "spread", &spread))
				return 2;
			break;
		case 'y':
			if (parse_either("media-priority", optarg, "normal", "realtime", &realtime))
				return 2;
			break;
		case 'S':
			if (parse_number("room-spread", optarg, 0, LIM_ROOM_PARTICIPANTS,
			                 &room_spread))
				return 2;
			break;
		case 'K':
			if (parse_number("media-limit-kbps", optarg, 0, UINT32_MAX, &limit_kbps))
				return 2;
			break;
		case 'P':
			if (parse_number("media-limit-pps", optarg, 0, UINT32_MAX, &limit_pps))
				return 2;
			break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("kamerd 0.1.0\n"); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	struct media_config mc;
	memset(&mc, 0, sizeof(mc));
	mc.workers = (unsigned)workers;
	mc.limit = (struct meter_rate){.kbps = (uint32_t)limit_kbps, .pps = (uint32_t)limit_pps};
	mc.realtime = realtime;
	socklen_t mlen;
	if (addr_parse(media_addr, &mc.bind, &mlen) != 0) {
		fprintf(stderr, "kamerd: --media wants ADDR:PORT, got '%s'\n", media_addr);
		return 2;
	}
	if (strlen(announce) >= sizeof(mc.announce)) {
		fprintf(stderr, "kamerd: --announce is too long\n");
		return 2;
	}
	if (announce[0]) {
		struct sockaddr_storage tmp;
		socklen_t tl;
		char probe[80];
		snprintf(probe, sizeof(probe), strchr(announce, ':') ? "[%s]:1" : "%s:1", announce);
		if (addr_parse(probe, &tmp, &tl) != 0) {
			fprintf(stderr, "kamerd: --announce wants an IP address, got '%s'\n",
			        announce);
			return 2;
		}
		snprintf(mc.announce, sizeof(mc.announce), "%s", announce);
	}

	int rc = 1;
	char why[256] = "";
	struct db *db = NULL;
	struct media *media = NULL;
	struct signal *sig = NULL;
	struct guard *guard = NULL;
	struct webhook *hooks = NULL;
	struct api api;
	if (sodium_init() < 0 || srtp_sess_global_init() != 0) {
		log_error("main", "cannot initialise the crypto libraries");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	if (db_open(&db, data_dir, why, sizeof(why)) != 0) {
		log_error("main", "store: %s", why);
		goto fail;
	}
	meeting_set_retention(db, retention_hours * 3600);
	openlog("kamerd", LOG_PID, LOG_AUTH);
	hooks = webhook_start(data_dir, why, sizeof(why));
	if (!hooks) {
		log_error("main", "webhooks: %s", why);
		goto fail;
	}
	events_attach(hooks);
	const struct guard_limits limits = {.per_source = (unsigned)rate,
	                                    .per_account = rate > 1 ? (unsigned)rate / 2 : 1,
	                                    .global = (unsigned)rate * 50,
	                                    .window_s = 60};
	guard = guard_new(db, &limits);
	if (!guard)
		goto fail;
	media = media_start(&mc, why, sizeof(why));
	if (!media) {
		log_error("main", "media: %s", why);
		goto fail;
	}
	/* The media workers are running: from here this thread (signalling, the API) gives way
	   to them when the CPUs are busy. */
	if (prio_give_way(PRIO_CONTROL_NICE) != 0)
		log_warn("main", "cannot lower the control thread's priority");
	sig = signal_new(db, media);
	if (!sig)
		goto fail;
	signal_set_ceiling(sig, (int)ceiling);
	signal_set_guard(sig, guard);
	signal_set_spread(sig, spread);
	signal_set_room_spread(sig, (size_t)room_spread);
	api = (struct api){.db = db,
	                   .media = media,
	                   .signal = sig,
	                   .guard = guard,
	                   .ceiling = (int)ceiling,
	                   .secure_cookies = secure_cookies};
	g_http = http_start(listen, &api, why, sizeof(why));
	if (!g_http) {
		log_error("main", "http: %s", why);
		goto fail;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	char host[64] = "127.0.0.1";
	struct sockaddr_storage ls;
	socklen_t ll;
	if (addr_parse(listen, &ls, &ll) == 0)
		addr_host((struct sockaddr *)&ls, host, sizeof(host));
	char ports[LIM_MEDIA_WORKERS * 6 + 1] = "";
	size_t used = 0;
	for (size_t i = 0; i < media_workers(media); i++)
		used += (size_t)snprintf(ports + used, sizeof(ports) - used, "%s%u", i ? "," : "",
		                         media_port(media, media_handle(0, (unsigned)i)));
	log_info("main", "media on UDP ports %s, one worker each (candidates announce %s)", ports,
	         media_announce(media));
	char base[128];
	snprintf(base, sizeof(base), "http://%s%s%s:%d", strchr(host, ':') ? "[" : "", host,
	         strchr(host, ':') ? "]" : "", http_port(g_http));
	char token[RND_ID_CHARS + 1];
	if (account_bootstrap(db, clock_unix(), token) == 0) {
		/* A one-time way in, on the terminal only: never in the log. */
		printf("First start: set the administrator's password (user \"admin\") at\n"
		       "  %s/setup#%s\n(the link works once, for 24 hours)\n",
		       base, token);
		ct_wipe(token, sizeof(token));
	}
	printf("kamerd is running. Open %s/ in a browser.\n", base);
	fflush(stdout);
	http_run(g_http);
	log_info("main", "shutting down");
	rc = 0;
fail:
	http_free(g_http);
	g_http = NULL;
	signal_free(sig);
	media_stop(media);
	events_attach(NULL);
	webhook_stop(hooks);
	guard_free(guard);
	db_close(db);
	srtp_sess_global_done();
	return rc;
}
