/* ct.h - constant-time compare and secure wipe, for secrets. */
#ifndef KAMER_BASE_CT_H
#define KAMER_BASE_CT_H

#include <stddef.h>

/* 1 if the n bytes at a and b are equal, in time that depends only on n. */
int ct_equal(const void *a, const void *b, size_t n);

/* Zeroes n bytes in a way the compiler may not remove. */
void ct_wipe(void *p, size_t n);

#endif
