/* clock.h - monotonic and wall clocks. */
#ifndef KAMER_BASE_CLOCK_H
#define KAMER_BASE_CLOCK_H

#include <stdint.h>

/* Monotonic time in microseconds. */
uint64_t clock_us(void);
/* Monotonic time in milliseconds. */
uint64_t clock_ms(void);
/* Wall-clock time as a 64-bit NTP timestamp (RFC 3550 section 4). */
uint64_t clock_ntp(void);
/* Wall-clock seconds since the Unix epoch. */
int64_t clock_unix(void);
/* Wall-clock milliseconds since 1970. */
int64_t clock_unix_ms(void);

#endif
