/*
 * test_arena.c: the request arena (common/base/arena.c).
 */
#include <stdint.h>
#include <string.h>

#include "oidc/arena.h"

#include "tap.h"

static void
test_alloc(void)
{
	struct oidc_arena	*a;
	unsigned char		*p, *q, *big;
	char			*s;
	size_t			 i;
	int			 zero = 1;

	a = oidc_arena_new(256, 1 << 20);
	ok(a != NULL, "new");
	p = oidc_arena_alloc(a, 10);
	q = oidc_arena_alloc(a, 10);
	ok(p != NULL && q != NULL && p != q, "alloc: two blocks");
	ok(((uintptr_t)p % 16) == 0 && ((uintptr_t)q % 16) == 0,
	    "alloc: 16-byte aligned");
	memset(p, 0xaa, 10);
	memset(q, 0xbb, 10);
	ok(p[9] == 0xaa && q[0] == 0xbb, "alloc: blocks do not overlap");
	ok(oidc_arena_used(a) >= 20, "used counts allocations");
	ok(oidc_arena_alloc(a, 0) != NULL, "alloc: zero bytes is valid");

	/* Larger than a chunk. */
	big = oidc_arena_alloc(a, 10000);
	ok(big != NULL, "alloc: larger than the chunk size");
	memset(big, 1, 10000);

	big = oidc_arena_calloc(a, 100, 7);
	for (i = 0; big != NULL && i < 700; i++)
		zero &= big[i] == 0;
	ok(big != NULL && zero, "calloc: zeroed");
	ok(oidc_arena_calloc(a, SIZE_MAX / 2, 3) == NULL,
	    "calloc: n * size overflow is NULL");
	ok(oidc_arena_calloc(a, SIZE_MAX, SIZE_MAX) == NULL,
	    "calloc: SIZE_MAX * SIZE_MAX is NULL");
	ok(oidc_arena_alloc(a, SIZE_MAX) == NULL,
	    "alloc: SIZE_MAX is NULL (alignment overflow)");

	s = oidc_arena_strndup(a, "abcdef", 3);
	is_str(s, "abc", "strndup: copies len and terminates");
	s = oidc_arena_strndup(a, "a\0b", 3);
	ok(s != NULL && memcmp(s, "a\0b\0", 4) == 0,
	    "strndup: embedded NUL kept");
	is_str(oidc_arena_strdup(a, "xyz"), "xyz", "strdup");
	is_str(oidc_arena_printf(a, "%s-%d", "n", 42), "n-42", "printf");
	oidc_arena_reset(a);
	is_int(oidc_arena_used(a), 0, "reset: used is 0");
	ok(oidc_arena_alloc(a, 10) != NULL, "alloc after reset");
	oidc_arena_free(a);
	oidc_arena_free(NULL);	/* a no-op: a crash fails this binary */
}

static void
test_hard_cap(void)
{
	struct oidc_arena	*a;
	int			 i, n = 0;

	a = oidc_arena_new(256, 1024);
	ok(oidc_arena_alloc(a, 1024) != NULL, "hard cap: exactly the cap");
	ok(oidc_arena_alloc(a, 1) == NULL, "hard cap: one more byte is NULL");
	oidc_arena_reset(a);
	ok(oidc_arena_alloc(a, 1025) == NULL, "hard cap: cap + 1 is NULL");
	/* Many small allocations stop at the cap too (16-byte rounding). */
	for (i = 0; i < 1000; i++)
		if (oidc_arena_alloc(a, 16) != NULL)
			n++;
	is_int(n, 1024 / 16, "hard cap: small allocations stop at the cap");
	oidc_arena_reset(a);
	ok(oidc_arena_alloc(a, 512) != NULL, "hard cap: reset restores room");
	oidc_arena_free(a);
}

static char	 order[8];
static size_t	 norder;

static void
record(void *arg)
{
	if (norder < sizeof(order) - 1)
		order[norder++] = *(const char *)arg;
}

static void
test_defer(void)
{
	struct oidc_arena	*a;
	static const char	 one = '1', two = '2', three = '3';

	a = oidc_arena_new(256, 1 << 16);
	ok(oidc_arena_defer(a, record, (void *)(uintptr_t)&one) == 0,
	    "defer 1");
	ok(oidc_arena_defer(a, record, (void *)(uintptr_t)&two) == 0,
	    "defer 2");
	ok(oidc_arena_defer(a, record, (void *)(uintptr_t)&three) == 0,
	    "defer 3");
	is_int(norder, 0, "defer: nothing runs before reset");
	oidc_arena_reset(a);
	is_str(order, "321", "defer: LIFO at reset");
	oidc_arena_reset(a);
	is_str(order, "321", "defer: runs once");
	ok(oidc_arena_defer(a, record, (void *)(uintptr_t)&one) == 0,
	    "defer at free");
	oidc_arena_free(a);
	is_str(order, "3211", "defer: runs at free");

	/* A full arena cannot take a defer: the caller must clean up. */
	a = oidc_arena_new(256, 16);
	ok(oidc_arena_alloc(a, 16) != NULL, "fill arena");
	ok(oidc_arena_defer(a, record, (void *)(uintptr_t)&one) == -1,
	    "defer: -1 when the arena is full");
	oidc_arena_free(a);
}

static void
test_wipe(void)
{
#ifndef OIDC_ARENA_DEBUG
	struct oidc_arena	*a;
	unsigned char		*p, *q;
	size_t			 i;
	int			 zero = 1;

	/*
	 * The first chunk is kept across resets; its used bytes must be
	 * zero when handed out again, so a secret from one request is not
	 * readable in the next.
	 */
	a = oidc_arena_new(4096, 1 << 16);
	p = oidc_arena_alloc(a, 64);
	memset(p, 'S', 64);
	oidc_arena_reset(a);
	q = oidc_arena_alloc(a, 64);
	ok(p == q, "wipe: first chunk reused");
	for (i = 0; i < 64; i++)
		zero &= q[i] == 0;
	ok(zero, "reset wipes used bytes");
	oidc_arena_free(a);
#else
	/*
	 * Debug arenas (SANITIZE=1) free every block at reset, so the wipe
	 * is the release build's test; here, what ASan relies on: one
	 * block per allocation, so an overrun leaves its block.
	 */
	struct oidc_arena	*a;
	unsigned char		*p, *q;

	a = oidc_arena_new(4096, 1 << 16);
	p = oidc_arena_alloc(a, 64);
	q = oidc_arena_alloc(a, 64);
	ok(p != NULL && q != NULL && p + 64 != q && q + 64 != p,
	    "debug arena: one block per allocation (exact bounds for ASan)");
	oidc_arena_reset(a);
	is_int(oidc_arena_used(a), 0, "debug arena: reset releases all");
	oidc_arena_free(a);
#endif
}

int
main(void)
{
	test_alloc();
	test_hard_cap();
	test_defer();
	test_wipe();
	return done_testing();
}
