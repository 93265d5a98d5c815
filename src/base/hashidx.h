/* hashidx.h - an index from 32-bit hashes to the caller's items, for lookups on the media
 * path: a fixed power-of-two table, open addressing with linear probing, at most half
 * full. A removal shifts the entries after it back instead of leaving a tombstone, so a
 * table that has seen millions of insertions and removals probes no further than a fresh
 * one (with tombstones a long-running table fills up and every miss walks all of it).
 *
 * The index holds pointers only; the caller owns the items and computes the hashes. */
#ifndef KAMER_BASE_HASHIDX_H
#define KAMER_BASE_HASHIDX_H

#include <stddef.h>
#include <stdint.h>

struct hashidx_slot {
	void *item; /* NULL: empty */
	uint32_t hash;
};

struct hashidx {
	struct hashidx_slot *slot;
	size_t mask; /* slots - 1 */
	size_t n;    /* items held */
};

/* slots must be a power of two; the index holds at most slots / 2 items. 0 or ERR_NOMEM. */
int hashidx_init(struct hashidx *x, size_t slots);
void hashidx_free(struct hashidx *x);

/* 0, or ERR_LIMIT when the index is half full. An item may be added once; different items
   may share a hash and a key. */
int hashidx_add(struct hashidx *x, uint32_t hash, void *item);
/* 0, or ERR_NOTFOUND when the item is not in the index under that hash. */
int hashidx_del(struct hashidx *x, uint32_t hash, const void *item);
/* The first item under hash for which match(item, key) is true, or NULL. */
void *hashidx_find(const struct hashidx *x, uint32_t hash,
                   int (*match)(const void *item, const void *key), const void *key);

/* FNV-1a over n bytes, continuing from h (start with HASHIDX_FNV_INIT). */
#define HASHIDX_FNV_INIT 2166136261u
uint32_t hashidx_fnv(uint32_t h, const void *p, size_t n);

#endif
