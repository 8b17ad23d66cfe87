/*
 * cdefs.h: compiler attributes behind macros, and checked size arithmetic.
 * Every other header may include this one freely.
 */
#ifndef OIDC_CDEFS_H
#define OIDC_CDEFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OIDC_MUST_CHECK		__attribute__((warn_unused_result))
#define OIDC_NONNULL(...)	__attribute__((nonnull(__VA_ARGS__)))
#define OIDC_PRINTF(f, a)	__attribute__((format(printf, f, a)))
#define OIDC_DEAD		__attribute__((noreturn))
#define OIDC_UNUSED		__attribute__((unused))

#define OIDC_NELEM(a)		(sizeof(a) / sizeof((a)[0]))

/* Overflow-checked size arithmetic for any operand that comes from input. */
static inline bool
oidc_size_add(size_t a, size_t b, size_t *out)
{
	return !__builtin_add_overflow(a, b, out);
}

static inline bool
oidc_size_mul(size_t a, size_t b, size_t *out)
{
	return !__builtin_mul_overflow(a, b, out);
}

#endif /* OIDC_CDEFS_H */
