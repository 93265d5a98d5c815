/* core.h - the run's shared state, for main.c, core.c and report.c. */
#ifndef KAMER_LOAD_CORE_H
#define KAMER_LOAD_CORE_H

#include <sys/socket.h>
#include <time.h>

#include "load.h"
#include "sig.h"

struct load_opts {
	const char *target, *url, *json, *user, *password_file;
	unsigned rooms, size, duration_s, video_kbps, threads, ramp_ms, rx_loss_pct;
	unsigned signal_nice; /* the signalling thread steps back this far (0..19) */
	unsigned media_nice;  /* the media threads' nice value (0..19) */
	unsigned server_pid;  /* the server's process, whose CPU time the run reads; 0 = none */
	unsigned readers_pct; /* participants that read all they receive, spread evenly (100) */
	int audio_only, verbose, sink;
};

struct core {
	struct load_opts opts;
	const struct sig_ops *ops;
	struct sig *sig;
	struct sockaddr_storage local; /* the address our UDP sockets bind to */
	struct load_part **parts;
	unsigned nparts;
	struct worker **workers;
	uint64_t t_start_ns, t_end_ns;
	uint64_t media_cpu_max_ns; /* the busiest media thread's CPU time */
	uint64_t media_sleeps;     /* how often the media threads slept, all together */
	double process_cpu_s;      /* user + system time of the whole process */
	/* --server-pid: the server's CPU time (user + system, all threads) from the start of
	   the steady part to the end of the run, in which the packets counted in
	   delay_steady were sent; negative when not measured. */
	clockid_t server_clock;
	double server_cpu_at_steady_s, server_cpu_steady_s;
};

extern struct core g_core;

/* Prints the summary and writes --json; returns 1 if the run worked, else 0. */
int report(const struct core *c);

#endif
