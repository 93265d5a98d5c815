/* prio.h - which threads the scheduler serves first when the CPUs are busy.
 *
 * A media worker holds packets while it waits for a CPU, and every millisecond it waits is
 * a millisecond of delay for everyone in its rooms; the control plane (signalling, DTLS
 * handshakes, web hooks) does work that nobody notices if it takes a little longer. So
 * media threads run at normal priority with a short time slice, and the others give way
 * to them. No privilege is needed for either. An operator who can grant it may put the
 * media threads at real-time priority instead (prio_realtime_attr). */
#ifndef KAMER_BASE_PRIO_H
#define KAMER_BASE_PRIO_H

#include <pthread.h>

/* How far kamerd's control-plane threads step back. Nice 10 against 0 weighs about 1 to 9:
   a worker that shares a busy CPU with the control thread keeps nine tenths of it, and the
   control thread still has a tenth of the CPU when every worker is saturated. */
#define PRIO_CONTROL_NICE 10

/* The calling thread, and only it (Linux applies setpriority(PRIO_PROCESS, 0) to one
   thread), gives way: its nice value goes up by `by` (at most to 19). Threads it starts
   later inherit it, so start the media threads first. 0, or -1 if the kernel refused. */
int prio_give_way(int by);

/* The calling thread is a media thread: its priority stays, with a short time slice (EEVDF,
   Linux 6.12 and later), so that when a packet wakes it, it runs before a thread with a
   long slice finishes its own. Older kernels refuse the slice, and nothing else changes. */
void prio_media(void);

/* The calling thread never preempts a running thread when it wakes (SCHED_BATCH, no
   privilege needed); it runs when a CPU is free or at the scheduler's next tick. For a
   load generator on the machine of the server it measures: each packet the server sends
   wakes the load, which would otherwise take the CPU from the server in the middle of its
   send, as no client on another machine can. 0, or -1 if the kernel refused. */
int prio_batch(void);

/* Sets attr so that pthread_create starts its thread at real-time priority: SCHED_FIFO at
   its lowest level, ahead of every normal thread, so that a packet that wakes a media
   worker is served at once instead of when the thread on its CPU yields. An operator's
   choice (kamerd --media-priority realtime), not the default: pthread_create then fails
   with EPERM unless the process may (CAP_SYS_NICE, or an RLIMIT_RTPRIO of 1 or more, such
   as systemd's LimitRTPRIO=1), and a CPU whose worker never sleeps leaves normal threads
   only what the kernel holds back for them (real-time throttling: 5% by default). 0, or
   an error number. */
int prio_realtime_attr(pthread_attr_t *attr);

#endif
