/* speaker.h - who is speaking, from each participant's loudness (RFC 6464 levels as
 * measured by the media plane), with a threshold and hysteresis so that the highlight
 * does not flicker between people. Pure: time is the number of updates. */
#ifndef KAMER_SIGNAL_SPEAKER_H
#define KAMER_SIGNAL_SPEAKER_H

#include <stddef.h>
#include <stdint.h>

#define SPEAKER_THRESHOLD 50 /* loudness (127 - level in -dBov) below which nobody speaks */
#define SPEAKER_MARGIN    6  /* dB louder than the current speaker to take over */
#define SPEAKER_HOLD      2  /* updates in a row a newcomer must lead */
#define SPEAKER_QUIET     5  /* updates of silence after which nobody speaks */

struct speaker {
	uint64_t current;   /* participant handle, 0 for nobody yet */
	uint64_t candidate; /* who leads, not yet long enough */
	unsigned streak;
	unsigned quiet; /* updates the current speaker has been silent */
};

struct speaker_input {
	uint64_t handle;
	uint8_t loudness; /* 0 silence .. 127 loudest; 0 for muted participants */
};

/* One update (every ~200 ms). Returns 1 when the current speaker changed (to 0 when
   nobody speaks: after SPEAKER_QUIET silent updates, at once when the speaker leaves). */
int speaker_update(struct speaker *s, const struct speaker_input *in, size_t n);

#endif
