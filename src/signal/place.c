/* place.c - which media worker a new room, and each of its members, goes to (see place.h). */
#include "signal/place.h"

size_t place_weight(size_t in_room)
{
	return in_room ? in_room : 1;
}

size_t place_pick(const size_t *people, const double *busy, size_t n, int spread)
{
	if (!spread) {
		for (size_t i = 0; i < n; i++) {
			if (people[i] < PLACE_PACK_PEOPLE && busy[i] < PLACE_PACK_BUSY)
				return i;
		}
	}
	size_t best = 0;
	for (size_t i = 1; i < n; i++) {
		if (people[i] < people[best])
			best = i;
	}
	return best;
}

size_t place_member(const size_t *in_room, size_t n, size_t home, size_t room_size,
                    size_t spread_at)
{
	if (spread_at == 0 || n <= 1 || room_size < spread_at || home >= n)
		return home;
	/* The workers the room may use: those it uses, then the next ones after home. */
	size_t span = room_size / spread_at + 1, used = 0;
	if (span > n)
		span = n;
	for (size_t i = 0; i < n; i++)
		used += i == home || in_room[i] > 0;
	size_t best = home;
	for (size_t k = 0; k < n; k++) {
		size_t i = (home + k) % n;
		int in = i == home || in_room[i] > 0;
		if (!in && used < span) {
			in = 1;
			used++;
		}
		if (in && (in_room[i] < in_room[best] ||
		           (in_room[i] == in_room[best] && best != home && i < best)))
			best = i;
	}
	return best;
}
