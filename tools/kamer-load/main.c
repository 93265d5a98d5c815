/* main.c - kamer-load: synthetic WebRTC participants that join a video conference server,
 * publish audio and video over real ICE/DTLS/SRTP, subscribe to each other and measure
 * what arrives (loss, one-way delay, jitter, join time). See tools/kamer-load/README.md. */
#include <arpa/inet.h>
#include <getopt.h>
#include <netdb.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "base/log.h"
#include "base/prio.h"
#include "core.h"
#include "net/udp.h"
#include "rtc/srtp.h"

#define LOAD_MAX_PARTICIPANTS 4096
#define LEAVE_GRACE_MS        300

/* Adapters other than kamer are linked in only when their file is built. */
extern const struct sig_ops sig_janus_ops __attribute__((weak));

static atomic_int g_stop;

static void on_signal(int sig)
{
	(void)sig;
	atomic_store(&g_stop, 1);
}

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: kamer-load --target kamer --url http://127.0.0.1:8080 --rooms N --size K\n"
	    "                  --duration SECONDS [--video-kbps 1000] [--audio-only]\n"
	    "                  [--json FILE] [--user LOGIN --password-file FILE] [--verbose]\n"
	    "                  [--threads N] [--ramp-ms MS] [--sink] [--signal-nice N]\n"
	    "                  [--media-nice N] [--server-pid PID] [--readers PCT]\n"
	    "  --target      signalling of the server under test: kamer%s\n"
	    "  --url         the server's HTTP address\n"
	    "  --rooms       meetings to create; --size participants in each\n"
	    "  --duration    seconds from the first join to the end of the run\n"
	    "  --video-kbps  video bit rate of each participant (default 1000)\n"
	    "  --audio-only  publish audio only\n"
	    "  --json        write the results as JSON to FILE\n"
	    "  --user        log in as LOGIN first (password: first line of FILE)\n"
	    "  --threads     media threads (default 1)\n"
	    "  --ramp-ms     pause between two participants' starts (default 20)\n"
	    "  --sink        subscribers stop reading after their first media packet (capacity\n"
	    "                runs: the server's counters say what it forwarded; no delay or loss)\n"
	    "  --signal-nice how far the signalling thread steps back from normal priority\n"
	    "                (default 19: browsers do their signalling on their own machines)\n"
	    "  --media-nice  the media threads' nice value (default 0; 19 lets a server on this\n"
	    "                machine have the CPU first, but a server that takes all of it then\n"
	    "                starves the load, and its loss goes unseen)\n"
	    "  --server-pid  the server's process on this machine: its CPU time per packet in\n"
	    "                the steady part of the run is reported\n"
	    "  --readers     percentage of participants, spread evenly, that read and measure all\n"
	    "                they receive; the others stop after their first media packet, as\n"
	    "                --sink, so that a load on the server's own machine costs less\n"
	    "                (default 100)\n"
	    "Exit status 0 when every participant joined and received media from every other.\n",
	    &sig_janus_ops ? ", janus" : "");
}

static int parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	char *end = NULL;
	unsigned long v = strtoul(s, &end, 10);
	if (!*s || *end || v < lo || v > hi)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int parse_args(int argc, char **argv, struct load_opts *o)
{
	enum {
		O_TARGET = 1,
		O_URL,
		O_ROOMS,
		O_SIZE,
		O_DURATION,
		O_KBPS,
		O_AUDIO,
		O_JSON,
		O_USER,
		O_PWFILE,
		O_VERBOSE,
		O_THREADS,
		O_RAMP,
		O_RXLOSS,
		O_SINK,
		O_SIGNICE,
		O_MEDIANICE,
		O_SERVERPID,
		O_READERS,
		O_HELP
	};
	static const struct option longopts[] = {{"target", 1, 0, O_TARGET},
	                                         {"url", 1, 0, O_URL},
	                                         {"rooms", 1, 0, O_ROOMS},
	                                         {"size", 1, 0, O_SIZE},
	                                         {"duration", 1, 0, O_DURATION},
	                                         {"video-kbps", 1, 0, O_KBPS},
	                                         {"audio-only", 0, 0, O_AUDIO},
	                                         {"json", 1, 0, O_JSON},
	                                         {"user", 1, 0, O_USER},
	                                         {"password-file", 1, 0, O_PWFILE},
	                                         {"verbose", 0, 0, O_VERBOSE},
	                                         {"threads", 1, 0, O_THREADS},
	                                         {"ramp-ms", 1, 0, O_RAMP},
	                                         {"rx-loss", 1, 0, O_RXLOSS},
	                                         {"sink", 0, 0, O_SINK},
	                                         {"signal-nice", 1, 0, O_SIGNICE},
	                                         {"media-nice", 1, 0, O_MEDIANICE},
	                                         {"server-pid", 1, 0, O_SERVERPID},
	                                         {"readers", 1, 0, O_READERS},
	                                         {"help", 0, 0, O_HELP},
	                                         {0, 0, 0, 0}};
	*o = (struct load_opts){.target = "kamer",
	                        .url = "http://127.0.0.1:8080",
	                        .rooms = 1,
	                        .size = 2,
	                        .duration_s = 10,
	                        .video_kbps = 1000,
	                        .threads = 1,
	                        .ramp_ms = 20,
	                        .signal_nice = 19,
	                        .media_nice = 0,
	                        .readers_pct = 100};
	int c, bad = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case O_TARGET: o->target = optarg; break;
		case O_URL: o->url = optarg; break;
		case O_ROOMS: bad |= parse_uint(optarg, 1, LOAD_MAX_PARTICIPANTS, &o->rooms); break;
		case O_SIZE: bad |= parse_uint(optarg, 1, LIM_ROOM_PARTICIPANTS, &o->size); break;
		case O_DURATION: bad |= parse_uint(optarg, 1, 86400, &o->duration_s); break;
		case O_KBPS: bad |= parse_uint(optarg, 0, 20000, &o->video_kbps); break;
		case O_AUDIO: o->audio_only = 1; break;
		case O_JSON: o->json = optarg; break;
		case O_USER: o->user = optarg; break;
		case O_PWFILE: o->password_file = optarg; break;
		case O_VERBOSE: o->verbose = 1; break;
		case O_THREADS: bad |= parse_uint(optarg, 1, 64, &o->threads); break;
		case O_RAMP: bad |= parse_uint(optarg, 0, 10000, &o->ramp_ms); break;
		case O_RXLOSS: bad |= parse_uint(optarg, 0, 50, &o->rx_loss_pct); break;
		case O_SINK: o->sink = 1; break;
		case O_SIGNICE: bad |= parse_uint(optarg, 0, 19, &o->signal_nice); break;
		case O_MEDIANICE: bad |= parse_uint(optarg, 0, 19, &o->media_nice); break;
		case O_SERVERPID: bad |= parse_uint(optarg, 1, INT32_MAX, &o->server_pid); break;
		case O_READERS: bad |= parse_uint(optarg, 1, 100, &o->readers_pct); break;
		case O_HELP: usage(stdout); exit(0);
		default: bad = 1;
		}
	}
	if (optind < argc || (o->user && !o->password_file))
		bad = 1;
	if ((unsigned long)o->rooms * o->size > LOAD_MAX_PARTICIPANTS) {
		fprintf(stderr, "kamer-load: at most %d participants\n", LOAD_MAX_PARTICIPANTS);
		bad = 1;
	}
	return bad ? -1 : 0;
}

static char *read_password(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char line[512];
	char *pw = NULL;
	if (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		pw = strdup(line);
	}
	memset(line, 0, sizeof(line));
	fclose(f);
	return pw;
}

/* The local address the kernel routes toward the server from: our candidates' address. */
static int local_address(const char *url, struct sockaddr_storage *out)
{
	const char *h = strstr(url, "://");
	h = h ? h + 3 : url;
	char host[256];
	size_t n = strcspn(h, "/");
	if (n >= sizeof(host))
		return -1;
	memcpy(host, h, n);
	host[n] = '\0';
	char *colon = strrchr(host, ':');
	if (colon && !strchr(colon, ']'))
		*colon = '\0';
	if (host[0] == '[') {
		memmove(host, host + 1, strlen(host));
		host[strcspn(host, "]")] = '\0';
	}
	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM}, *ai = NULL;
	if (getaddrinfo(host, "9", &hints, &ai) != 0 || !ai)
		return -1;
	int rc = -1, fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	socklen_t len = sizeof(*out);
	if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
	    getsockname(fd, (struct sockaddr *)out, &len) == 0) {
		if (out->ss_family == AF_INET)
			((struct sockaddr_in *)out)->sin_port = 0;
		else
			((struct sockaddr_in6 *)out)->sin6_port = 0;
		rc = 0;
	}
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	return rc;
}

static const struct sig_ops *find_target(const char *name)
{
	const struct sig_ops *all[] = {&sig_kamer_ops, &sig_janus_ops};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (all[i] && strcmp(all[i]->name, name) == 0)
			return all[i];
	}
	return NULL;
}

/* The server's CPU seconds so far (all its threads), or -1 (not asked for, or gone). */
static double server_cpu_s(const struct core *c)
{
	struct timespec ts;
	if (!c->opts.server_pid || clock_gettime(c->server_clock, &ts) != 0)
		return -1;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void run(struct core *c, char rooms[][128])
{
	const uint64_t ms = 1000000ull;
	uint64_t t0 = load_now_ns();
	c->t_start_ns = t0;
	uint64_t end = t0 + (uint64_t)c->opts.duration_s * 1000 * ms;
	unsigned next = 0;
	while (!atomic_load(&g_stop)) {
		uint64_t now = load_now_ns();
		if (now >= end)
			break;
		/* Start the participants one ramp step apart. */
		while (next < c->nparts && now >= t0 + (uint64_t)next * c->opts.ramp_ms * ms) {
			struct load_part *p = c->parts[next++];
			p->t_start_ns = load_now_ns();
			p->sp = c->ops->join(c->sig, p, rooms[p->room], p->name);
			if (!p->sp) {
				p->failed = 1;
				snprintf(p->why, sizeof(p->why), "cannot start signalling");
			}
		}
		c->ops->service(c->sig, 10);
		uint64_t steady = atomic_load(&load_steady_ns);
		if (!steady && c->opts.size > 1 && atomic_load(&load_media_parts) == c->nparts)
			atomic_store(&load_steady_ns, load_now_ns() + 1000 * ms);
		if (steady && load_now_ns() >= steady && c->server_cpu_at_steady_s < 0)
			c->server_cpu_at_steady_s = server_cpu_s(c);
	}
	c->t_end_ns = load_now_ns();
	double cpu = server_cpu_s(c);
	if (c->server_cpu_at_steady_s >= 0 && cpu >= 0)
		c->server_cpu_steady_s = cpu - c->server_cpu_at_steady_s;
}

int main(int argc, char **argv)
{
	struct core *c = &g_core;
	char *password = NULL, why[160] = "";
	char(*rooms)[128] = NULL;
	int ok = 0;
	if (parse_args(argc, argv, &c->opts) != 0) {
		usage(stderr);
		return 2;
	}
	log_set_level(c->opts.verbose ? LOGL_DEBUG : LOGL_WARN);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	c->ops = find_target(c->opts.target);
	if (!c->ops) {
		fprintf(stderr, "kamer-load: unknown --target %s\n", c->opts.target);
		return 2;
	}
	if (c->opts.password_file && !(password = read_password(c->opts.password_file))) {
		fprintf(stderr, "kamer-load: cannot read %s\n", c->opts.password_file);
		return 2;
	}
	c->server_cpu_at_steady_s = c->server_cpu_steady_s = -1;
	if (c->opts.server_pid &&
	    clock_getcpuclockid((pid_t)c->opts.server_pid, &c->server_clock) != 0) {
		fprintf(stderr, "kamer-load: no process %u to measure\n", c->opts.server_pid);
		goto done;
	}
	if (local_address(c->opts.url, &c->local) != 0) {
		fprintf(stderr, "kamer-load: no route to the host in %s\n", c->opts.url);
		goto done;
	}
	if (srtp_sess_global_init() != 0 || load_dtls_init() != 0) {
		fprintf(stderr, "kamer-load: cannot start SRTP or DTLS\n");
		goto done;
	}
	struct sig_config cfg = {.url = c->opts.url,
	                         .user = c->opts.user,
	                         .password = password,
	                         .verbose = c->opts.verbose};
	if (c->ops->init(&cfg, &c->sig, why, sizeof(why)) != 0) {
		fprintf(stderr, "kamer-load: %s\n", why[0] ? why : "cannot start the signalling");
		goto done;
	}
	rooms = calloc(c->opts.rooms, sizeof(*rooms));
	c->nparts = c->opts.rooms * c->opts.size;
	c->parts = calloc(c->nparts, sizeof(*c->parts));
	c->workers = calloc(c->opts.threads, sizeof(*c->workers));
	if (!rooms || !c->parts || !c->workers)
		goto done;
	for (unsigned r = 0; r < c->opts.rooms; r++) {
		if (c->ops->create_room(c->sig, r, rooms[r], sizeof(rooms[r])) != 0) {
			fprintf(stderr, "kamer-load: cannot create room %u\n", r);
			goto done;
		}
	}
	for (unsigned t = 0; t < c->opts.threads; t++) {
		if (!(c->workers[t] = worker_start(t, (int)c->opts.media_nice))) {
			fprintf(stderr, "kamer-load: cannot start a media thread\n");
			goto done;
		}
	}
	/* The participants' signalling stands in for browsers on other machines: on this one
	   it gives way to the server under test (and to the media threads, started above). */
	if (c->opts.signal_nice && prio_give_way((int)c->opts.signal_nice) != 0)
		log_warn("load", "cannot lower the signalling thread's priority");
	for (unsigned i = 0; i < c->nparts; i++) {
		struct load_part *p = calloc(1, sizeof(*p));
		if (!p)
			goto done;
		p->idx = i;
		p->room = i / c->opts.size;
		p->slot = i % c->opts.size;
		p->w = c->workers[i % c->opts.threads];
		/* Readers spread evenly: i is one when (i + 1) * pct / 100 steps up. */
		unsigned pct = c->opts.readers_pct;
		p->sink = c->opts.sink || (i + 1) * pct / 100 == i * pct / 100;
		snprintf(p->name, sizeof(p->name), "load-%u-%u", p->room, p->slot);
		c->parts[i] = p;
	}
	load_rx_loss_pct = c->opts.rx_loss_pct;
	run(c, rooms);
	/* Stop the media first so that the numbers are final, then leave. */
	for (unsigned t = 0; t < c->opts.threads; t++) {
		struct worker_usage used = worker_stop(c->workers[t]);
		if (used.cpu_ns > c->media_cpu_max_ns)
			c->media_cpu_max_ns = used.cpu_ns;
		c->media_sleeps += used.sleeps;
		c->workers[t] = NULL;
	}
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		c->process_cpu_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		                   (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	for (unsigned i = 0; i < c->nparts; i++) {
		if (c->parts[i]->sp)
			c->ops->leave(c->parts[i]->sp);
		c->parts[i]->sp = NULL;
	}
	for (int i = 0; i < LEAVE_GRACE_MS / 10; i++)
		c->ops->service(c->sig, 10);
	ok = report(c);
done:
	for (unsigned t = 0; c->workers && t < c->opts.threads; t++)
		(void)worker_stop(c->workers[t]);
	for (unsigned i = 0; c->parts && i < c->nparts; i++) {
		struct load_part *p = c->parts[i];
		if (!p)
			continue;
		if (p->sp)
			c->ops->leave(p->sp);
		if (!p->pub_handed)
			peer_free(p->pub);
		for (unsigned s = 0; s < LOAD_MAX_SUBS; s++) {
			if (!(p->subs_handed & (1ull << s)))
				peer_free(p->subs[s]);
		}
		free(p);
	}
	if (c->sig)
		c->ops->free(c->sig);
	free(c->parts);
	free(c->workers);
	free(rooms);
	if (password) {
		memset(password, 0, strlen(password));
		free(password);
	}
	load_dtls_done();
	srtp_sess_global_done();
	return ok ? 0 : 1;
}
