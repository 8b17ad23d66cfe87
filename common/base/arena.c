/*
 * arena.c: chunked bump allocator with deferred cleanups (see oidc/arena.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "oidc/arena.h"

#define ALIGN	16

struct chunk {
	struct chunk	*next;
	size_t		 size;	/* usable bytes in data[] */
	size_t		 used;
	unsigned char	 data[] __attribute__((aligned(ALIGN)));
};

struct defer {
	struct defer	*next;
	void		(*fn)(void *);
	void		*arg;
};

struct oidc_arena {
	struct chunk	*head;		/* current chunk first */
	struct defer	*defers;
	size_t		 chunk;
	size_t		 cap;
	size_t		 total;		/* bytes handed out */
};

struct oidc_arena *
oidc_arena_new(size_t chunk, size_t hard_cap)
{
	struct oidc_arena	*a;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	a->chunk = chunk < 256 ? 256 : chunk;
	a->cap = hard_cap;
	return a;
}

static void
run_defers(struct oidc_arena *a)
{
	struct defer	*d;

	/* Defers live in the arena itself, so run them before any wipe. */
	while ((d = a->defers) != NULL) {
		a->defers = d->next;
		d->fn(d->arg);
	}
}

static void
release_chunks(struct oidc_arena *a, bool keep_first)
{
	struct chunk	*c, *next, *last = NULL;

	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		OPENSSL_cleanse(c->data, c->used);
		c->used = 0;
#ifndef OIDC_ARENA_DEBUG
		if (keep_first && next == NULL) {
			last = c;	/* the oldest chunk is kept for reuse */
			break;
		}
#endif
		free(c);
	}
	(void)keep_first;
	a->head = last;
}

void
oidc_arena_reset(struct oidc_arena *a)
{
	if (a == NULL)
		return;
	run_defers(a);
	release_chunks(a, true);
	a->total = 0;
}

void
oidc_arena_free(struct oidc_arena *a)
{
	if (a == NULL)
		return;
	run_defers(a);
	release_chunks(a, false);
	free(a);
}

size_t
oidc_arena_used(const struct oidc_arena *a)
{
	return a->total;
}

void *
oidc_arena_alloc(struct oidc_arena *a, size_t len)
{
	struct chunk	*c;
	size_t		 need, csize, total;

	if (len == 0)
		len = 1;
	if (!oidc_size_add(len, ALIGN - 1, &need))
		return NULL;
	need &= ~(size_t)(ALIGN - 1);
	if (!oidc_size_add(a->total, need, &total) || total > a->cap)
		return NULL;
	c = a->head;
#ifndef OIDC_ARENA_DEBUG
	if (c != NULL && c->size - c->used >= need) {
		c->used += need;
		a->total = total;
		return c->data + c->used - need;
	}
	csize = need > a->chunk ? need : a->chunk;
#else
	csize = need;
#endif
	if ((c = malloc(sizeof(*c) + csize)) == NULL)
		return NULL;
	c->size = csize;
	c->used = need;
	c->next = a->head;
	a->head = c;
	a->total = total;
	return c->data;
}

void *
oidc_arena_calloc(struct oidc_arena *a, size_t n, size_t size)
{
	size_t	 len;
	void	*p;

	if (!oidc_size_mul(n, size, &len))
		return NULL;
	if ((p = oidc_arena_alloc(a, len)) != NULL)
		memset(p, 0, len);
	return p;
}

char *
oidc_arena_strndup(struct oidc_arena *a, const char *s, size_t len)
{
	char	*p;
	size_t	 n;

	if (!oidc_size_add(len, 1, &n) || (p = oidc_arena_alloc(a, n)) == NULL)
		return NULL;
	if (len > 0)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
oidc_arena_strdup(struct oidc_arena *a, const char *s)
{
	return oidc_arena_strndup(a, s, strlen(s));
}

char *
oidc_arena_printf(struct oidc_arena *a, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;
	char	*p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (p = oidc_arena_alloc(a, (size_t)n + 1)) == NULL)
		return NULL;
	va_start(ap, fmt);
	(void)vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

int
oidc_arena_defer(struct oidc_arena *a, void (*fn)(void *), void *arg)
{
	struct defer	*d;

	if ((d = oidc_arena_alloc(a, sizeof(*d))) == NULL)
		return -1;
	d->fn = fn;
	d->arg = arg;
	d->next = a->defers;
	a->defers = d;
	return 0;
}
