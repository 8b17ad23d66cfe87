/*
 * json.c: strict parsing and typed access over json-c (see oidc/json.h).
 *
 * struct oidc_json is never defined: a pointer to it is a json_object
 * pointer in disguise, which keeps json-c out of every other file.
 */
#include <string.h>

#include <json-c/json.h>

#include "oidc/arena.h"
#include "oidc/json.h"
#include "oidc/str.h"

#define J(x)	((struct json_object *)(x))
#define O(x)	((struct oidc_json *)(x))
#define CJ(x)	((struct json_object *)(uintptr_t)(const void *)(x))

static void
put_deferred(void *p)
{
	json_object_put(J(p));
}

/* Hand a fresh reference to the arena, which releases it at reset. */
static struct oidc_json *
adopt(struct oidc_arena *a, struct json_object *jo)
{
	if (jo == NULL)
		return NULL;
	if (a == NULL || oidc_arena_defer(a, put_deferred, jo) == -1) {
		json_object_put(jo);
		return NULL;
	}
	return O(jo);
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * json-c 0.16 in STRICT mode still accepts single-quoted strings, NaN and
 * Infinity, raw control characters inside strings and "1." as a number,
 * and JSON_TOKENER_VALIDATE_UTF8 lets overlong forms and encoded
 * surrogates through.  This lexical pass over the raw text refuses all of
 * them before json-c sees the input (RFC 8259 sections 6, 7 and 8.1), so
 * "strict" means the same thing whatever the installed json-c does.
 * Structure is still checked by json-c.
 */
static bool
lexically_strict(const char *buf, size_t len)
{
	static const char *const words[] = { "true", "false", "null" };
	size_t			 i = 0, k, wl = 0;
	unsigned char		 c;

	/* SECURITY: overlong forms ("\xc0\xaf" for '/') evade filters. */
	if (!oidc_str_is_utf8(buf, len))
		return false;
	while (i < len) {
		c = (unsigned char)buf[i];
		if (c == '"') {
			for (i++; i < len && buf[i] != '"'; i++) {
				if ((unsigned char)buf[i] < 0x20)
					return false;
				if (buf[i] == '\\')
					i++;	/* json-c checks the escape */
			}
			i++;
			continue;
		}
		if (c == '.' && (i + 1 == len || !is_digit(buf[i + 1])))
			return false;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
			/* An exponent, or one of the three literals. */
			if ((c == 'e' || c == 'E') && i > 0 &&
			    is_digit(buf[i - 1])) {
				i++;
				continue;
			}
			for (k = 0; k < OIDC_NELEM(words); k++) {
				wl = strlen(words[k]);
				if (len - i >= wl &&
				    memcmp(buf + i, words[k], wl) == 0)
					break;
			}
			if (k == OIDC_NELEM(words))
				return false;
			i += wl;
			continue;
		}
		if (c == '\'')
			return false;
		i++;
	}
	return true;
}

/* Parse one JSON text whose top level is of type `want`. */
static int
parse_top(struct oidc_arena *a, const char *buf, size_t len, size_t max_len,
    enum json_type want, struct oidc_json **out, struct oidc_error *err)
{
	struct json_tokener	*tok = NULL;
	struct json_object	*jo = NULL;
	int			 rc = -1;

	if (max_len == 0)
		max_len = OIDC_JSON_MAX_LEN;
	if (len > max_len || len > INT32_MAX) {
		oidc_fail(err, OIDC_E_LIMIT, "JSON document too large",
		    "json %zu > %zu", len, max_len);
		goto out;
	}
	if (!lexically_strict(buf, len)) {
		oidc_fail(err, OIDC_E_INVALID_REQUEST, "malformed JSON",
		    "json: not strict RFC 8259 text");
		goto out;
	}
	if ((tok = json_tokener_new_ex(OIDC_JSON_MAX_DEPTH)) == NULL) {
		oidc_fail(err, OIDC_E_NOMEM, NULL, "json_tokener_new_ex");
		goto out;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	jo = json_tokener_parse_ex(tok, buf, (int)len);
	/*
	 * Incomplete input (json_tokener_continue) and trailing bytes both
	 * fail: the whole buffer must be exactly one object.
	 */
	if (jo == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len) {
		oidc_fail(err, OIDC_E_INVALID_REQUEST, "malformed JSON",
		    "json: %s", jo == NULL ? json_tokener_error_desc(
		    json_tokener_get_error(tok)) : "trailing data");
		goto out;
	}
	if (!json_object_is_type(jo, want)) {
		oidc_fail(err, OIDC_E_INVALID_REQUEST, want == json_type_array ?
		    "JSON top level must be an array" :
		    "JSON top level must be an object", "json: not an %s",
		    want == json_type_array ? "array" : "object");
		goto out;
	}
	if ((*out = adopt(a, jo)) == NULL) {
		jo = NULL;
		oidc_fail(err, OIDC_E_NOMEM, NULL, "arena full");
		goto out;
	}
	jo = NULL;
	rc = 0;
out:
	json_object_put(jo);
	if (tok != NULL)
		json_tokener_free(tok);
	return rc;
}

int
oidc_json_parse(struct oidc_arena *a, const char *buf, size_t len,
    size_t max_len, struct oidc_json **out, struct oidc_error *err)
{
	return parse_top(a, buf, len, max_len, json_type_object, out, err);
}

int
oidc_json_parse_array(struct oidc_arena *a, const char *buf, size_t len,
    size_t max_len, struct oidc_json **out, struct oidc_error *err)
{
	return parse_top(a, buf, len, max_len, json_type_array, out, err);
}

enum oidc_json_type
oidc_json_type_of(const struct oidc_json *j)
{
	switch (json_object_get_type(CJ(j))) {
	case json_type_boolean:
		return OIDC_JSON_BOOL;
	case json_type_double:
		return OIDC_JSON_NUMBER;
	case json_type_int:
		return OIDC_JSON_INT;
	case json_type_string:
		return OIDC_JSON_STRING;
	case json_type_array:
		return OIDC_JSON_ARRAY;
	case json_type_object:
		return OIDC_JSON_OBJECT;
	case json_type_null:
	default:
		return OIDC_JSON_NULL;
	}
}

/* 1 with *v set, 0 absent or JSON null. */
static int
member(const struct oidc_json *j, const char *key, struct json_object **v)
{
	if (j == NULL || !json_object_is_type(CJ(j), json_type_object))
		return 0;
	if (!json_object_object_get_ex(CJ(j), key, v) || *v == NULL)
		return 0;
	return 1;
}

static int
wrong_type(struct oidc_error *err, const char *key, const char *want)
{
	return oidc_fail(err, OIDC_E_INVALID_REQUEST,
	    "a JSON member has the wrong type", "member %s: want %s", key,
	    want);
}

int
oidc_json_as_str(const struct oidc_json *j, struct oidc_str *out)
{
	const char	*s;
	int		 n;

	if (j == NULL || !json_object_is_type(CJ(j), json_type_string))
		return -1;
	s = json_object_get_string(CJ(j));
	n = json_object_get_string_len(CJ(j));
	if (s == NULL || n < 0 || memchr(s, '\0', (size_t)n) != NULL)
		return -1;
	out->p = s;
	out->len = (size_t)n;
	return 0;
}

int
oidc_json_get_str(const struct oidc_json *j, const char *key,
    struct oidc_str *out, struct oidc_error *err)
{
	struct json_object	*v;

	if (member(j, key, &v) == 0)
		return 0;
	if (oidc_json_as_str(O(v), out) == -1)
		return wrong_type(err, key, "string");
	return 1;
}

int
oidc_json_get_i64(const struct oidc_json *j, const char *key, int64_t *out,
    struct oidc_error *err)
{
	struct json_object	*v;

	if (member(j, key, &v) == 0)
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return wrong_type(err, key, "integer");
	/* json-c saturates out-of-range integers; refuse the extremes. */
	*out = json_object_get_int64(v);
	if (*out == INT64_MAX || *out == INT64_MIN)
		return wrong_type(err, key, "integer in range");
	return 1;
}

int
oidc_json_get_bool(const struct oidc_json *j, const char *key, bool *out,
    struct oidc_error *err)
{
	struct json_object	*v;

	if (member(j, key, &v) == 0)
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return wrong_type(err, key, "boolean");
	*out = json_object_get_boolean(v) != 0;
	return 1;
}

int
oidc_json_get_obj(const struct oidc_json *j, const char *key,
    struct oidc_json **out, struct oidc_error *err)
{
	struct json_object	*v;

	if (member(j, key, &v) == 0)
		return 0;
	if (!json_object_is_type(v, json_type_object))
		return wrong_type(err, key, "object");
	*out = O(v);
	return 1;
}

int
oidc_json_get_array(const struct oidc_json *j, const char *key,
    struct oidc_json **out, struct oidc_error *err)
{
	struct json_object	*v;

	if (member(j, key, &v) == 0)
		return 0;
	if (!json_object_is_type(v, json_type_array))
		return wrong_type(err, key, "array");
	*out = O(v);
	return 1;
}

int
oidc_json_get_str_list(const struct oidc_json *j, const char *key,
    bool or_string, struct oidc_arena *a, struct oidc_str **items,
    size_t *n, struct oidc_error *err)
{
	struct json_object	*v;
	struct oidc_str		*vec;
	size_t			 i, len;

	if (member(j, key, &v) == 0)
		return 0;
	if (or_string && json_object_is_type(v, json_type_string)) {
		if ((vec = oidc_arena_calloc(a, 1, sizeof(*vec))) == NULL)
			return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
		if (oidc_json_as_str(O(v), &vec[0]) == -1)
			return wrong_type(err, key, "string");
		*items = vec;
		*n = 1;
		return 1;
	}
	if (!json_object_is_type(v, json_type_array))
		return wrong_type(err, key, "array of strings");
	len = json_object_array_length(v);
	if ((vec = oidc_arena_calloc(a, len ? len : 1, sizeof(*vec))) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
	for (i = 0; i < len; i++)
		if (oidc_json_as_str(O(json_object_array_get_idx(v, i)),
		    &vec[i]) == -1)
			return wrong_type(err, key, "array of strings");
	*items = vec;
	*n = len;
	return 1;
}

bool
oidc_json_has(const struct oidc_json *j, const char *key)
{
	struct json_object	*v;

	return member(j, key, &v) == 1;
}

bool
oidc_json_has_key(const struct oidc_json *j, const char *key)
{
	if (j == NULL || !json_object_is_type(CJ(j), json_type_object))
		return false;
	return json_object_object_get_ex(CJ(j), key, NULL) != 0;
}

size_t
oidc_json_array_len(const struct oidc_json *j)
{
	if (j == NULL || !json_object_is_type(CJ(j), json_type_array))
		return 0;
	return json_object_array_length(CJ(j));
}

struct oidc_json *
oidc_json_array_get(const struct oidc_json *j, size_t i)
{
	if (i >= oidc_json_array_len(j))
		return NULL;
	return O(json_object_array_get_idx(CJ(j), i));
}

int
oidc_json_foreach(const struct oidc_json *j,
    int (*fn)(void *, const char *, struct oidc_json *), void *arg)
{
	int	 rc;

	if (j == NULL || !json_object_is_type(CJ(j), json_type_object))
		return 0;
	json_object_object_foreach(CJ(j), key, val) {
		if ((rc = fn(arg, key, O(val))) != 0)
			return rc;
	}
	return 0;
}

struct oidc_json *
oidc_json_new_object(struct oidc_arena *a)
{
	return adopt(a, json_object_new_object());
}

struct oidc_json *
oidc_json_new_array(struct oidc_arena *a)
{
	return adopt(a, json_object_new_array());
}

static int
set(struct oidc_json *j, const char *key, struct json_object *v,
    struct oidc_error *err)
{
	if (v == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "json alloc");
	if (json_object_object_add(J(j), key, v) != 0) {
		json_object_put(v);
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "json add");
	}
	return 0;
}

int
oidc_json_set_str(struct oidc_json *j, const char *key, const char *s,
    size_t len, struct oidc_error *err)
{
	if (len > INT32_MAX)
		return oidc_fail(err, OIDC_E_LIMIT, NULL, "string too long");
	return set(j, key, json_object_new_string_len(s, (int)len), err);
}

int
oidc_json_set_cstr(struct oidc_json *j, const char *key, const char *s,
    struct oidc_error *err)
{
	return oidc_json_set_str(j, key, s, strlen(s), err);
}

int
oidc_json_set_i64(struct oidc_json *j, const char *key, int64_t v,
    struct oidc_error *err)
{
	return set(j, key, json_object_new_int64(v), err);
}

int
oidc_json_set_bool(struct oidc_json *j, const char *key, bool v,
    struct oidc_error *err)
{
	return set(j, key, json_object_new_boolean(v), err);
}

int
oidc_json_set_null(struct oidc_json *j, const char *key,
    struct oidc_error *err)
{
	if (json_object_object_add(J(j), key, NULL) != 0)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "json add");
	return 0;
}

int
oidc_json_set_obj(struct oidc_json *j, const char *key, struct oidc_json *v,
    struct oidc_error *err)
{
	return set(j, key, json_object_get(J(v)), err);
}

void
oidc_json_del(struct oidc_json *j, const char *key)
{
	json_object_object_del(J(j), key);
}

int
oidc_json_array_add_str(struct oidc_json *j, const char *s, size_t len,
    struct oidc_error *err)
{
	struct json_object	*v;

	if (len > INT32_MAX)
		return oidc_fail(err, OIDC_E_LIMIT, NULL, "string too long");
	if ((v = json_object_new_string_len(s, (int)len)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "json alloc");
	if (json_object_array_add(J(j), v) != 0) {
		json_object_put(v);
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "json add");
	}
	return 0;
}

int
oidc_json_array_add(struct oidc_json *j, struct oidc_json *v,
    struct oidc_error *err)
{
	struct json_object	*ref = json_object_get(J(v));

	if (json_object_array_add(J(j), ref) != 0) {
		json_object_put(ref);
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "json add");
	}
	return 0;
}

struct oidc_json *
oidc_json_copy(struct oidc_arena *a, const struct oidc_json *j)
{
	struct json_object	*dst = NULL;

	if (json_object_deep_copy(CJ(j), &dst, NULL) != 0)
		return NULL;
	return adopt(a, dst);
}

const char *
oidc_json_serialize(const struct oidc_json *j, struct oidc_arena *a,
    size_t *len, struct oidc_error *err)
{
	const char	*s;
	size_t		 n;
	char		*copy;

	s = json_object_to_json_string_length(CJ(j), JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	if (s == NULL || (copy = oidc_arena_strndup(a, s, n)) == NULL) {
		oidc_fail(err, OIDC_E_NOMEM, NULL, "json serialize");
		return NULL;
	}
	if (len != NULL)
		*len = n;
	return copy;
}
