/* worker.c - a media thread: one epoll loop over the UDP sockets of its participants'
 * transports, a tick every few milliseconds for timers and media, and batched sends. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/prio.h"
#include "load.h"
#include "net/udp.h"

#define TICK_NS    500000ull /* 0.5 ms: participants are apart in time, as separate devices are */
#define MAX_EVENTS 64

struct worker {
	unsigned index;
	int nice; /* the thread's nice value */
	pthread_t th;
	int started;
	int epfd, evfd, tfd;
	atomic_int stop;
	pthread_mutex_t lock;
	struct peer **pending; /* handed over, not yet in epoll; under lock */
	size_t npending, cap_pending;
	struct peer **peers; /* the thread's own */
	size_t n, cap;
	int out_fd;
	struct worker_usage used; /* the thread's CPU time and sleeps, when it ends */
	uint64_t next_tick_ns;
	struct rx_batch in;
	struct udp_out out;
};

static int grow(struct peer ***arr, size_t *cap, size_t need)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap * 2 : 64;
	while (c < need)
		c *= 2;
	struct peer **a = realloc(*arr, c * sizeof(*a));
	if (!a)
		return ERR_NOMEM;
	*arr = a;
	*cap = c;
	return 0;
}

uint8_t *worker_slot(struct worker *w, int fd)
{
	if (w->out.n > 0 && w->out_fd != fd)
		worker_flush(w);
	w->out_fd = fd;
	return udp_out_slot(fd, &w->out);
}

void worker_commit(struct worker *w, size_t len, const struct sockaddr *to)
{
	udp_out_commit(&w->out, len, to);
}

void worker_flush(struct worker *w)
{
	if (w->out.n > 0)
		udp_out_flush(w->out_fd, &w->out);
}

void worker_unwatch(struct worker *w, int fd)
{
	if (epoll_ctl(w->epfd, EPOLL_CTL_DEL, fd, NULL) != 0)
		log_warn("load", "cannot stop watching a socket");
}

uint64_t worker_send_failed(const struct worker *w)
{
	return w->out.failed;
}

static void take_pending(struct worker *w)
{
	uint64_t v;
	while (read(w->evfd, &v, sizeof(v)) > 0) {
	}
	pthread_mutex_lock(&w->lock);
	for (size_t i = 0; i < w->npending; i++) {
		struct peer *pc = w->pending[i];
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = pc};
		if (grow(&w->peers, &w->cap, w->n + 1) != 0 ||
		    epoll_ctl(w->epfd, EPOLL_CTL_ADD, peer_fd(pc), &ev) != 0) {
			log_error("load", "worker %u cannot take a transport", w->index);
			peer_free(pc);
			continue;
		}
		w->peers[w->n++] = pc;
	}
	w->npending = 0;
	pthread_mutex_unlock(&w->lock);
}

/* epoll tags for the two descriptors that are not transports. */
static char tag_wake, tag_tick;

static void tick_all(struct worker *w)
{
	uint64_t now = load_now_ns();
	w->next_tick_ns = now + TICK_NS;
	for (size_t i = 0; i < w->n; i++)
		peer_tick(w->peers[i], now);
	worker_flush(w);
}

static void *run(void *arg)
{
	struct worker *w = arg;
	struct epoll_event evs[MAX_EVENTS];
	if (prio_batch() != 0)
		log_warn("load", "media thread %u: no SCHED_BATCH; the load may preempt the server",
		         w->index);
	/* --media-nice 19: a server on this machine has its CPU first, as if the participants'
	   devices were other machines (1x30 on two vCPUs with kamerd: its workers waited for
	   their CPU 10% of the time beside a load at nice 0, and added delay p99 was 9-25 ms
	   against 2.4-8.7 ms at nice 19). Not the default: a server that takes both vCPUs
	   (Janus from 1x25 there) then starves the load, whose sockets drop what that server
	   sends, so that its loss cannot be told from the load's. The kernel's receive
	   timestamps keep the delays this thread measures free of its own waits. */
	if (w->nice && prio_give_way(w->nice) != 0)
		log_warn("load", "media thread %u: cannot lower its priority", w->index);
	while (!atomic_load(&w->stop)) {
		int n = epoll_wait(w->epfd, evs, MAX_EVENTS, 100);
		if (n < 0 && errno != EINTR)
			break;
		int tick = 0;
		for (int i = 0; i < n; i++) {
			if (evs[i].data.ptr == &tag_wake) {
				take_pending(w);
			} else if (evs[i].data.ptr == &tag_tick) {
				uint64_t expirations;
				tick = read(w->tfd, &expirations, sizeof(expirations)) > 0;
			} else {
				peer_on_readable(evs[i].data.ptr, &w->in);
				worker_flush(w);
				/* A server on this machine that a packet has woken waits for
				   this thread's vCPU until it sleeps, which no device elsewhere
				   makes it do: after each participant's read, it goes first.
				   kamerd alone at 1x27, eight pairs: added delay p99 0.50-0.80
				   ms (one 1.79) against 0.77-1.34 (one 2.18) without. */
				sched_yield();
				/* Each participant's device sends on its own clock, whatever it has
				   to read: a tick that falls due while this thread reads is not put
				   off until all is read, or every participant's packets would leave
				   together afterwards, a burst that no meeting sends. */
				if (load_now_ns() >= w->next_tick_ns)
					tick_all(w);
			}
		}
		if (tick)
			tick_all(w);
	}
	struct timespec ts;
	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0)
		w->used.cpu_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	struct rusage ru;
	if (getrusage(RUSAGE_THREAD, &ru) == 0)
		w->used.sleeps = (uint64_t)ru.ru_nvcsw;
	return NULL;
}

struct worker *worker_start(unsigned index, int nice)
{
	struct worker *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->index = index;
	w->nice = nice;
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	w->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	w->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	pthread_mutex_init(&w->lock, NULL);
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &tag_wake};
	struct epoll_event tev = {.events = EPOLLIN, .data.ptr = &tag_tick};
	struct itimerspec its = {.it_interval = {0, TICK_NS}, .it_value = {0, TICK_NS}};
	if (w->epfd < 0 || w->evfd < 0 || w->tfd < 0 ||
	    epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->evfd, &ev) != 0 ||
	    epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->tfd, &tev) != 0 ||
	    timerfd_settime(w->tfd, 0, &its, NULL) != 0 ||
	    pthread_create(&w->th, NULL, run, w) != 0)
		goto fail;
	w->started = 1;
	return w;
fail:
	(void)worker_stop(w);
	return NULL;
}

int worker_add(struct worker *w, struct peer *pc)
{
	peer_attach(pc, w);
	pthread_mutex_lock(&w->lock);
	int rc = grow(&w->pending, &w->cap_pending, w->npending + 1);
	if (rc == 0)
		w->pending[w->npending++] = pc;
	pthread_mutex_unlock(&w->lock);
	if (rc != 0)
		return rc;
	uint64_t one = 1;
	if (write(w->evfd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		return ERR_IO;
	return 0;
}

struct worker_usage worker_stop(struct worker *w)
{
	if (!w)
		return (struct worker_usage){0};
	if (w->started) {
		atomic_store(&w->stop, 1);
		uint64_t one = 1;
		if (write(w->evfd, &one, sizeof(one)) < 0)
			log_warn("load", "cannot wake worker %u", w->index);
		pthread_join(w->th, NULL);
	}
	struct worker_usage used = w->used;
	for (size_t i = 0; i < w->n; i++)
		peer_free(w->peers[i]);
	for (size_t i = 0; i < w->npending; i++)
		peer_free(w->pending[i]);
	free(w->peers);
	free(w->pending);
	if (w->epfd >= 0)
		close(w->epfd);
	if (w->evfd >= 0)
		close(w->evfd);
	if (w->tfd >= 0)
		close(w->tfd);
	pthread_mutex_destroy(&w->lock);
	free(w);
	return used;
}
