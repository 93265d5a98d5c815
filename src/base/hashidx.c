/* hashidx.c - open addressing with linear probing and deletion by backward shift. */
#include "base/hashidx.h"

#include <stdlib.h>

#include "base/err.h"

int hashidx_init(struct hashidx *x, size_t slots)
{
	x->n = 0;
	x->mask = 0;
	x->slot = NULL;
	if (slots < 2 || (slots & (slots - 1)) != 0)
		return ERR_INVAL;
	x->slot = calloc(slots, sizeof(*x->slot));
	if (!x->slot)
		return ERR_NOMEM;
	x->mask = slots - 1;
	return 0;
}

void hashidx_free(struct hashidx *x)
{
	free(x->slot);
	x->slot = NULL;
	x->n = x->mask = 0;
}

int hashidx_add(struct hashidx *x, uint32_t hash, void *item)
{
	if (!x->slot || x->n >= (x->mask + 1) / 2)
		return ERR_LIMIT;
	size_t i = hash & x->mask;
	while (x->slot[i].item)
		i = (i + 1) & x->mask;
	x->slot[i].item = item;
	x->slot[i].hash = hash;
	x->n++;
	return 0;
}

void *hashidx_find(const struct hashidx *x, uint32_t hash,
                   int (*match)(const void *item, const void *key), const void *key)
{
	if (!x->slot)
		return NULL;
	/* The table is never more than half full, so an empty slot ends every walk. */
	for (size_t i = hash & x->mask; x->slot[i].item; i = (i + 1) & x->mask) {
		if (x->slot[i].hash == hash && match(x->slot[i].item, key))
			return x->slot[i].item;
	}
	return NULL;
}

int hashidx_del(struct hashidx *x, uint32_t hash, const void *item)
{
	if (!x->slot)
		return ERR_NOTFOUND;
	size_t hole = hash & x->mask;
	while (x->slot[hole].item != item) {
		if (!x->slot[hole].item)
			return ERR_NOTFOUND;
		hole = (hole + 1) & x->mask;
	}
	/* Entries after the hole, up to the next empty slot, move back into it when the hole
	   lies on their way from their home slot; what is left empty at the end is the new
	   end of that run. */
	for (size_t j = (hole + 1) & x->mask; x->slot[j].item; j = (j + 1) & x->mask) {
		size_t home = x->slot[j].hash & x->mask;
		if (((j - home) & x->mask) >= ((j - hole) & x->mask)) {
			x->slot[hole] = x->slot[j];
			hole = j;
		}
	}
	x->slot[hole].item = NULL;
	x->slot[hole].hash = 0;
	x->n--;
	return 0;
}

uint32_t hashidx_fnv(uint32_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}
