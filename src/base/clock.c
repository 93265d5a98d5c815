#include "base/clock.h"

#include <time.h>

uint64_t clock_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t clock_ms(void)
{
	return clock_us() / 1000u;
}

uint64_t clock_ntp(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t sec = (uint64_t)ts.tv_sec + 2208988800u; /* 1900 to 1970 */
	uint64_t frac = ((uint64_t)ts.tv_nsec << 32) / 1000000000u;
	return (sec << 32) | frac;
}

int64_t clock_unix(void)
{
	return (int64_t)time(NULL);
}

int64_t clock_unix_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
