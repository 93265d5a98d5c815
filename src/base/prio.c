#include "base/prio.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

int prio_give_way(int by)
{
	errno = 0;
	int now = getpriority(PRIO_PROCESS, 0);
	if (now == -1 && errno != 0)
		return -1;
	int nice = now + by > 19 ? 19 : now + by;
	return setpriority(PRIO_PROCESS, 0, nice) == 0 ? 0 : -1;
}

void prio_media(void)
{
	struct { /* the kernel's struct sched_attr, first version (glibc 2.36 has no wrapper) */
		uint32_t size, sched_policy;
		uint64_t sched_flags;
		int32_t sched_nice;
		uint32_t sched_priority;
		uint64_t sched_runtime, sched_deadline, sched_period;
	} a = {.size = sizeof(a),
	       .sched_policy = SCHED_OTHER,
	       .sched_nice = getpriority(PRIO_PROCESS, 0), /* unchanged: raising it is privileged */
	       .sched_runtime = 100 * 1000 /* ns */};
	(void)syscall(SYS_sched_setattr, 0, &a, 0);
}

int prio_realtime_attr(pthread_attr_t *attr)
{
	struct sched_param sp = {.sched_priority = sched_get_priority_min(SCHED_FIFO)};
	int e = pthread_attr_setinheritsched(attr, PTHREAD_EXPLICIT_SCHED);
	if (e == 0)
		e = pthread_attr_setschedpolicy(attr, SCHED_FIFO);
	if (e == 0)
		e = pthread_attr_setschedparam(attr, &sp);
	return e;
}

int prio_batch(void)
{
	struct sched_param sp = {.sched_priority = 0};
	return pthread_setschedparam(pthread_self(), SCHED_BATCH, &sp) == 0 ? 0 : -1;
}
