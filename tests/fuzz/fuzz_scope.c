/*
 * fuzz_scope.c: scope parsing and the set operations (common/oidc/scope.c).
 * The fuzzer's buffer is passed as is: no copy, no NUL, so ASan catches
 * any read past len.  The first half is the requested scope, the rest the
 * client's registered list.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/scope.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct oidc_arena	*fa;

/* The parser's rules, restated: every value valid and distinct. */
static void
check(const struct oidc_scope *s)
{
	size_t	 i, k;

	if (s->n > OIDC_SCOPE_MAX_VALUES)
		abort();
	for (i = 0; i < s->n; i++) {
		if (s->v[i].len == 0 || s->v[i].len > OIDC_SCOPE_MAX_LEN)
			abort();
		for (k = 0; k < s->v[i].len; k++)
			if ((unsigned char)s->v[i].p[k] <= 0x20 ||
			    (unsigned char)s->v[i].p[k] >= 0x7f ||
			    s->v[i].p[k] == '"' || s->v[i].p[k] == '\\')
				abort();
		for (k = 0; k < i; k++)
			if (oidc_str_eq(s->v[i], s->v[k]))
				abort();
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if ((fa = oidc_arena_new(4096, 1 << 20)) == NULL)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oidc_error	 err = { 0 };
	struct oidc_scope	 s, again, reg;
	struct oidc_str		 in = { (const char *)data, size / 2 };
	struct oidc_str		 rin = { (const char *)data + size / 2,
				    size - size / 2 };
	char			*joined;
	bool			 reg_ok;

	if (oidc_scope_parse(in, &s, &err) == 0) {
		check(&s);
		/* join then parse gives the same set. */
		if ((joined = oidc_scope_join(fa, &s)) == NULL)
			abort();
		oidc_error_clear(&err);
		if (oidc_scope_parse((struct oidc_str){ joined,
		    strlen(joined) }, &again, &err) == -1 ||
		    again.n != s.n || !oidc_scope_subset(&s, &again) ||
		    !oidc_scope_subset(&again, &s))
			abort();
		oidc_error_clear(&err);
		reg_ok = oidc_scope_parse(rin, &reg, &err) == 0;
		if (reg_ok) {
			check(&reg);
			again = s;
			oidc_scope_union(&again, &reg);
			check(&again);
			if (!oidc_scope_subset(&s, &again))
				abort();
		}
		/* allowed only ever removes values. */
		again = s;
		oidc_scope_allowed(NULL, &again, rin);
		check(&again);
		if (!oidc_scope_subset(&again, &s) ||
		    (reg_ok && !oidc_scope_subset(&again, &reg)))
			abort();
		(void)oidc_scope_releases(NULL, &s, "email");
	} else if (err.code != OIDC_E_INVALID_SCOPE || s.n != 0)
		abort();
	oidc_arena_reset(fa);
	return 0;
}
