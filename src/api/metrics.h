/* metrics.h - kamerd's counters in the Prometheus text format. */
#ifndef KAMER_API_METRICS_H
#define KAMER_API_METRICS_H

struct media;
struct signal;

/* The whole exposition as a NUL-terminated string to free(), or NULL without memory. */
char *metrics_render(struct media *m, struct signal *sig);

#endif
