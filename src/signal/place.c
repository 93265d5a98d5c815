/* place.c - which media worker a new room goes to (see place.h). */
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
