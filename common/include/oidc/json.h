/*
 * json.h: the only door to json-c.
 *
 * Parsing is strict (RFC 8259 only, valid UTF-8, depth <= OIDC_JSON_MAX_DEPTH,
 * at most OIDC_JSON_MAX_LEN bytes, the whole input consumed, an object at the
 * top level).  Getters check the type first and never coerce: "exp":"9" is
 * not a number and an array is not a string.  Strings with an embedded NUL
 * are refused.  Duplicate member names: json-c keeps the last value, which
 * RFC 7515 section 4 permits for JOSE headers; we accept that everywhere.
 *
 * Ownership: objects made by oidc_json_parse()/oidc_json_new_*() belong to
 * the arena they are given (never NULL) and are released at its reset; there
 * is no free function.  Values returned by getters are borrowed from their
 * parent.  oidc_json_set_obj()/oidc_json_array_add() take their own
 * reference, so the child may come from the same arena.
 * Output is serialised without insignificant whitespace and without escaping
 * '/', in member insertion order (so building members in lexicographic order
 * gives the RFC 7638 canonical form).
 */
#ifndef OIDC_JSON_H
#define OIDC_JSON_H

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/str.h"

#define OIDC_JSON_MAX_LEN	(64 * 1024)
#define OIDC_JSON_MAX_DEPTH	16

struct oidc_arena;
struct oidc_json;

enum oidc_json_type {
	OIDC_JSON_NULL,
	OIDC_JSON_BOOL,
	OIDC_JSON_NUMBER,	/* a double: not accepted by oidc_json_get_i64 */
	OIDC_JSON_INT,
	OIDC_JSON_STRING,
	OIDC_JSON_ARRAY,
	OIDC_JSON_OBJECT
};

/*
 * Parse buf[0..len) as a JSON object.  OIDC_E_INVALID_REQUEST on syntax,
 * OIDC_E_LIMIT on size.  `max_len` 0 means OIDC_JSON_MAX_LEN.
 */
OIDC_MUST_CHECK int	oidc_json_parse(struct oidc_arena *, const char *buf,
			    size_t len, size_t max_len, struct oidc_json **out,
			    struct oidc_error *);

/* The same for a document whose top level is an array. */
OIDC_MUST_CHECK int	oidc_json_parse_array(struct oidc_arena *,
			    const char *buf, size_t len, size_t max_len,
			    struct oidc_json **out, struct oidc_error *);

enum oidc_json_type	 oidc_json_type_of(const struct oidc_json *);

/*
 * Typed member getters: 1 found (out set), 0 absent (out untouched; a JSON
 * null counts as absent), -1 wrong type or embedded NUL (err set,
 * OIDC_E_INVALID_REQUEST with `what` as the public description).
 */
OIDC_MUST_CHECK int	oidc_json_get_str(const struct oidc_json *,
			    const char *key, struct oidc_str *,
			    struct oidc_error *);
OIDC_MUST_CHECK int	oidc_json_get_i64(const struct oidc_json *,
			    const char *key, int64_t *, struct oidc_error *);
OIDC_MUST_CHECK int	oidc_json_get_bool(const struct oidc_json *,
			    const char *key, bool *, struct oidc_error *);
OIDC_MUST_CHECK int	oidc_json_get_obj(const struct oidc_json *,
			    const char *key, struct oidc_json **,
			    struct oidc_error *);
OIDC_MUST_CHECK int	oidc_json_get_array(const struct oidc_json *,
			    const char *key, struct oidc_json **,
			    struct oidc_error *);
/*
 * An array of strings as an arena-owned vector (n may be 0).  With
 * `or_string` a single string is accepted as a one-element array (aud).
 */
OIDC_MUST_CHECK int	oidc_json_get_str_list(const struct oidc_json *,
			    const char *key, bool or_string,
			    struct oidc_arena *, struct oidc_str **items,
			    size_t *n, struct oidc_error *);
bool			oidc_json_has(const struct oidc_json *, const char *);
/* True if the member exists, even with a JSON null value. */
bool			oidc_json_has_key(const struct oidc_json *,
			    const char *);

/* Arrays: length, borrowed element, element as string (0 or -1). */
size_t			 oidc_json_array_len(const struct oidc_json *);
struct oidc_json	*oidc_json_array_get(const struct oidc_json *, size_t);
OIDC_MUST_CHECK int	 oidc_json_as_str(const struct oidc_json *,
			    struct oidc_str *);

/* Visit each member in order; stops at and returns the first non-zero. */
int	oidc_json_foreach(const struct oidc_json *,
	    int (*fn)(void *arg, const char *key, struct oidc_json *val),
	    void *arg);

/* Builders.  NULL on allocation failure. */
struct oidc_json	*oidc_json_new_object(struct oidc_arena *);
struct oidc_json	*oidc_json_new_array(struct oidc_arena *);

/* Setters replace an existing member of the same name.  0 or -1 (NOMEM). */
OIDC_MUST_CHECK int	oidc_json_set_str(struct oidc_json *, const char *key,
			    const char *, size_t, struct oidc_error *);
OIDC_MUST_CHECK int	oidc_json_set_cstr(struct oidc_json *, const char *key,
			    const char *, struct oidc_error *);
OIDC_MUST_CHECK int	oidc_json_set_i64(struct oidc_json *, const char *key,
			    int64_t, struct oidc_error *);
OIDC_MUST_CHECK int	oidc_json_set_bool(struct oidc_json *, const char *key,
			    bool, struct oidc_error *);
OIDC_MUST_CHECK int	oidc_json_set_obj(struct oidc_json *, const char *key,
			    struct oidc_json *, struct oidc_error *);
OIDC_MUST_CHECK int	oidc_json_set_null(struct oidc_json *,
			    const char *key, struct oidc_error *);
void			oidc_json_del(struct oidc_json *, const char *key);
OIDC_MUST_CHECK int	oidc_json_array_add_str(struct oidc_json *,
			    const char *, size_t, struct oidc_error *);
OIDC_MUST_CHECK int	oidc_json_array_add(struct oidc_json *,
			    struct oidc_json *, struct oidc_error *);

/* Deep copy into the arena (or caller-owned with NULL). */
struct oidc_json	*oidc_json_copy(struct oidc_arena *,
			    const struct oidc_json *);

/*
 * Serialise compactly into an arena-owned NUL-terminated string.
 * Returns NULL (err NOMEM) on failure.
 */
const char	*oidc_json_serialize(const struct oidc_json *,
		    struct oidc_arena *, size_t *len, struct oidc_error *);

#endif /* OIDC_JSON_H */
