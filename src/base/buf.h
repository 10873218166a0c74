/*
 * buf.h: a growable byte buffer with a ceiling (after curl's dynbuf).
 *
 * Invariants:
 * - data is NUL-terminated whenever it is non-NULL, and len never counts that NUL.
 * - len + 1 <= cap <= max + 1: an append that would pass max fails with PONTE_ELIMIT and
 *   leaves the buffer unchanged, so a caller can report the limit instead of truncating.
 * - buf_release() frees the memory and leaves an empty buffer with the same ceiling.
 * - Checked on every growth (PONTE_CHECK): len < cap while data is held, len == cap == 0
 *   before, so that a writer that set len by hand past its room is caught where it happens.
 */
#ifndef PONTE_BUF_H
#define PONTE_BUF_H

#include "base/common.h"

typedef struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
} buf;

void buf_init(buf *b, size_t max);
int buf_append(buf *b, const void *data, size_t n);
/* Room for extra more bytes and the NUL (for writers that fill data themselves, then set len
 * and the NUL). */
int buf_reserve(buf *b, size_t extra);
int buf_puts(buf *b, const char *s);
int buf_putc(buf *b, char c);
int buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Forget the contents but keep the memory. */
void buf_reset(buf *b);
void buf_release(buf *b);
/* Hand the memory to the caller (free() it); the buffer becomes empty. */
char *buf_detach(buf *b, size_t *len);

#endif
