/* place.h - which media worker a new room goes to. */
#ifndef KAMER_SIGNAL_PLACE_H
#define KAMER_SIGNAL_PLACE_H

#include <stddef.h>

/* A worker takes packed rooms while it holds fewer people than this and is busy less than
   PLACE_PACK_BUSY of the time: waking one core for many packets costs less than waking two
   for a few each (at 50 rooms of 2: 35% less CPU per forwarded packet on one worker than
   on two, docs/BENCHMARKS.md). */
#define PLACE_PACK_PEOPLE 128
#define PLACE_PACK_BUSY   0.5

/* What a room weighs on its worker: its people, or one for an empty room (for the person
   about to come in). */
size_t place_weight(size_t in_room);

/* The worker for a new room, given each of the n workers' people and busy share (0..1).
   Packed: the first with fewer than PLACE_PACK_PEOPLE people and busy under
   PLACE_PACK_BUSY; when none is, or when spread, the one with the fewest people. */
size_t place_pick(const size_t *people, const double *busy, size_t n, int spread);

#endif
