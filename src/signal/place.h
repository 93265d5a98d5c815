/* place.h - which media worker a new room, and each of its members, goes to. */
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

/* A room smaller than this is cheapest on one worker: none of its packets crosses threads.
   Beyond it one room's fan-out, (n-1) copies of every packet, can outgrow one core: on a
   2-vCPU machine here a worker protects and sends about 140,000 copies a second, and a room
   of 30 needs about 130,000. So from this many members on, newcomers are spread over the
   workers, and a publisher's worker relays each packet once to every other worker that
   carries subscribers of it. */
#define PLACE_SPREAD_AT 8

/* The worker for someone joining a room: in_room[i] of the room's members sit on worker i
   of n; home is the room's worker and room_size the members already in. Below spread_at
   members (always when spread_at is 0 or n is 1): home. From then on the room may use
   room_size / spread_at + 1 workers (at most n), so that each carries about spread_at of
   its members or more, not one each on a machine of many cores: those it uses already,
   then the next ones after home. The newcomer goes to the one of them with the fewest of
   this room's members, home first among equals, then the lowest index. */
size_t place_member(const size_t *in_room, size_t n, size_t home, size_t room_size,
                    size_t spread_at);

#endif
