/*
 * tap.h: a tiny TAP harness for the C unit tests.
 *
 * ok(cond, name), is_int(got, want, name), is_str(got, want, name),
 * is_mem(got, gotlen, want, wantlen, name); done_testing() prints the plan
 * and returns the exit status (non-zero if any test failed).
 * tap_slurp(path, &len) reads a test vector file (up to 128 KiB) into a
 * malloc'd, NUL-terminated buffer; NULL if it cannot.  tap_json(a, s)
 * parses a test's JSON text into the arena; NULL, with a diag line, if it
 * does not parse.
 */
#ifndef OIDC_TAP_H
#define OIDC_TAP_H

#include <stddef.h>

struct oidc_arena;
struct oidc_json;

int	tap_ok(int, const char *, int, const char *, ...)
	    __attribute__((format(printf, 4, 5)));
int	tap_is_int(long long, long long, const char *, int, const char *);
int	tap_is_str(const char *, const char *, const char *, int, const char *);
int	tap_is_mem(const void *, size_t, const void *, size_t, const char *,
	    int, const char *);
int	tap_done(void);
void	tap_diag(const char *, ...) __attribute__((format(printf, 1, 2)));
char	*tap_slurp(const char *, size_t *);
struct oidc_json *tap_json(struct oidc_arena *, const char *);

#define ok(c, ...)		tap_ok(!!(c), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(g, w, n)		tap_is_int((g), (w), __FILE__, __LINE__, (n))
#define is_str(g, w, n)		tap_is_str((g), (w), __FILE__, __LINE__, (n))
#define is_mem(g, gl, w, wl, n)	tap_is_mem((g), (gl), (w), (wl), __FILE__, \
				    __LINE__, (n))
#define done_testing()		tap_done()
#define diag			tap_diag

#endif
