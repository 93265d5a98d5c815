/* speaker.c - choosing the active speaker. */
#include "signal/speaker.h"

int speaker_update(struct speaker *s, const struct speaker_input *in, size_t n)
{
	const struct speaker_input *top = NULL, *cur = NULL;
	int changed = 0;
	for (size_t i = 0; i < n; i++) {
		if (in[i].handle == s->current)
			cur = &in[i];
		if (in[i].loudness >= SPEAKER_THRESHOLD && (!top || in[i].loudness > top->loudness))
			top = &in[i];
	}
	if (s->current && !cur) {
		s->current = 0; /* the speaker left */
		changed = 1;
	} else if (cur && cur->loudness < SPEAKER_THRESHOLD) {
		if (++s->quiet >= SPEAKER_QUIET) {
			s->current = 0;
			s->quiet = 0;
			cur = NULL;
			changed = 1;
		}
	} else if (cur) {
		s->quiet = 0;
	}
	if (!top || top->handle == s->current ||
	    (cur && cur->loudness >= SPEAKER_THRESHOLD &&
	     top->loudness < cur->loudness + SPEAKER_MARGIN)) {
		s->candidate = 0;
		s->streak = 0;
		return changed;
	}
	if (s->candidate == top->handle) {
		s->streak++;
	} else {
		s->candidate = top->handle;
		s->streak = 1;
	}
	if (s->streak < SPEAKER_HOLD)
		return changed;
	s->current = top->handle;
	s->candidate = 0;
	s->streak = 0;
	s->quiet = 0;
	return 1;
}
