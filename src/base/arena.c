#include <stdarg.h>

#include "base/arena.h"
#include "base/fault.h"

/* Blocks grow geometrically so a request that builds a big page does few mallocs. */
#define ARENA_FIRST_BLOCK 8192
#define ARENA_ALIGN 16

struct arena_block {
	struct arena_block *next;
	size_t size; /* usable bytes in data[] */
	size_t used;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

void arena_init(arena *a, size_t ceiling)
{
	a->head = NULL;
	a->used_total = 0;
	a->ceiling = ceiling;
}

static struct arena_block *arena_grow(arena *a, size_t need)
{
	size_t size = a->head ? a->head->size * 2 : ARENA_FIRST_BLOCK;
	if (size < need)
		size = need;
	if (size > SIZE_MAX - sizeof(struct arena_block))
		return NULL;
	size_t total = sizeof(struct arena_block) + size;
	if (a->used_total > a->ceiling || total > a->ceiling - a->used_total) {
		/* Try a block that is just big enough before giving up. */
		size = need;
		total = sizeof(struct arena_block) + size;
		if (a->used_total > a->ceiling || total > a->ceiling - a->used_total)
			return NULL;
	}
	struct arena_block *b = FAULT_ALLOC(FAULT_OURS) ? NULL : malloc(total);
	if (!b)
		return NULL;
	b->next = a->head;
	b->size = size;
	b->used = 0;
	a->head = b;
	a->used_total += total;
	return b;
}

void *arena_alloc(arena *a, size_t n)
{
	PONTE_CHECK(a && a->used_total <= a->ceiling &&
		    (!a->head || a->head->used <= a->head->size));
	if (n == 0)
		n = 1;
	if (n > SIZE_MAX - ARENA_ALIGN)
		return NULL;
	size_t rounded = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	struct arena_block *b = a->head;
	if (!b || b->size - b->used < rounded) {
		b = arena_grow(a, rounded);
		if (!b)
			return NULL;
	}
	void *p = b->data + b->used;
	b->used += rounded;
	memset(p, 0, n);
	return p;
}

void *arena_calloc(arena *a, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return arena_alloc(a, n * size);
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
	if (n == SIZE_MAX)
		return NULL;
	char *p = arena_alloc(a, n + 1);
	if (!p)
		return NULL;
	/* s may end before n (the date part of an empty date): copy up to its NUL and fill the
	 * rest with zeros, so a caller that keeps n as the length still reads only zeros. */
	size_t len = strnlen(s, n);
	if (len)
		memcpy(p, s, len);
	memset(p + len, 0, n + 1 - len);
	return p;
}

char *arena_strdup(arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *arena_printf(arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	char *p = arena_alloc(a, (size_t)n + 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void arena_release(arena *a)
{
	struct arena_block *b = a->head;
	while (b) {
		struct arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
	a->used_total = 0;
}
