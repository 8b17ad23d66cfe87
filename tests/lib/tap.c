/* tap.c: see tap.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oidc/error.h"
#include "oidc/json.h"

#include "tap.h"

static int	n_run, n_failed;

static int
report(int pass, const char *file, int line, const char *name)
{
	n_run++;
	if (!pass)
		n_failed++;
	printf("%sok %d - %s\n", pass ? "" : "not ", n_run, name);
	if (!pass)
		printf("#   failed at %s:%d\n", file, line);
	return pass;
}

int
tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	char	 name[256];
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	return report(pass, file, line, name);
}

int
tap_is_int(long long got, long long want, const char *file, int line,
    const char *name)
{
	int	 pass = got == want;

	report(pass, file, line, name);
	if (!pass)
		printf("#   got %lld, want %lld\n", got, want);
	return pass;
}

int
tap_is_str(const char *got, const char *want, const char *file, int line,
    const char *name)
{
	int	 pass = got != NULL && want != NULL && strcmp(got, want) == 0;

	if (got == NULL && want == NULL)
		pass = 1;
	report(pass, file, line, name);
	if (!pass)
		printf("#   got  '%s'\n#   want '%s'\n", got ? got : "(null)",
		    want ? want : "(null)");
	return pass;
}

int
tap_is_mem(const void *got, size_t gotlen, const void *want, size_t wantlen,
    const char *file, int line, const char *name)
{
	int	 pass = got != NULL && gotlen == wantlen &&
		    memcmp(got, want, wantlen) == 0;

	report(pass, file, line, name);
	if (!pass)
		printf("#   got %zu bytes, want %zu bytes\n", gotlen, wantlen);
	return pass;
}

void
tap_diag(const char *fmt, ...)
{
	va_list	 ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

int
tap_done(void)
{
	printf("1..%d\n", n_run);
	if (n_failed > 0)
		printf("# %d of %d failed\n", n_failed, n_run);
	return n_failed > 0 || n_run == 0;
}

char *
tap_slurp(const char *path, size_t *len)
{
	FILE	*f;
	char	*buf;
	size_t	 n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	buf = malloc(128 * 1024);
	n = buf != NULL ? fread(buf, 1, 128 * 1024 - 1, f) : 0;
	fclose(f);
	if (buf != NULL)
		buf[n] = '\0';
	*len = n;
	return buf;
}

struct oidc_json *
tap_json(struct oidc_arena *a, const char *s)
{
	struct oidc_error	 err = { 0 };
	struct oidc_json	*j = NULL;

	if (oidc_json_parse(a, s, strlen(s), 0, &j, &err) == -1) {
		tap_diag("bad test JSON: %s", s);
		return NULL;
	}
	return j;
}
