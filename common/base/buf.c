/*
 * buf.c: bounded buffers (see oidc/buf.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/buf.h"

void
oidc_buf_init(struct oidc_buf *b, struct oidc_arena *a, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->a = a;
	b->max = max;
}

static int
reserve(struct oidc_buf *b, size_t more, struct oidc_error *err)
{
	size_t	 need, ncap;
	char	*np;

	if (!oidc_size_add(b->len, more, &need) || need > b->max)
		return oidc_fail(err, OIDC_E_LIMIT, "input too large",
		    "buffer limit %zu reached", b->max);
	if (b->p != NULL && need <= b->cap)
		return 0;
	ncap = b->cap < 64 ? 64 : b->cap;
	while (ncap < need)
		ncap = ncap > b->max / 2 ? b->max : ncap * 2;
	if ((np = oidc_arena_alloc(b->a, ncap + 1)) == NULL)
		return oidc_fail(err, OIDC_E_NOMEM, NULL, "arena full");
	if (b->len > 0)
		memcpy(np, b->p, b->len);
	np[b->len] = '\0';
	b->p = np;
	b->cap = ncap;
	return 0;
}

int
oidc_buf_append(struct oidc_buf *b, const void *p, size_t len,
    struct oidc_error *err)
{
	if (reserve(b, len, err) == -1)
		return -1;
	if (len > 0)
		memcpy(b->p + b->len, p, len);
	b->len += len;
	b->p[b->len] = '\0';
	return 0;
}

int
oidc_buf_puts(struct oidc_buf *b, const char *s, struct oidc_error *err)
{
	return oidc_buf_append(b, s, strlen(s), err);
}

int
oidc_buf_putc(struct oidc_buf *b, char c, struct oidc_error *err)
{
	return oidc_buf_append(b, &c, 1, err);
}

int
oidc_buf_printf(struct oidc_buf *b, struct oidc_error *err, const char *fmt,
    ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return oidc_fail(err, OIDC_E_INTERNAL, NULL, "vsnprintf");
	if (reserve(b, (size_t)n, err) == -1)
		return -1;
	va_start(ap, fmt);
	(void)vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

int
oidc_buf_urlencode(struct oidc_buf *b, const char *s, size_t len,
    struct oidc_error *err)
{
	static const char	 hex[] = "0123456789ABCDEF";
	unsigned char		 c;
	char			 enc[3];
	size_t			 i;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~') {
			if (oidc_buf_putc(b, (char)c, err) == -1)
				return -1;
			continue;
		}
		enc[0] = '%';
		enc[1] = hex[c >> 4];
		enc[2] = hex[c & 15];
		if (oidc_buf_append(b, enc, 3, err) == -1)
			return -1;
	}
	return 0;
}

int
oidc_buf_htmlescape(struct oidc_buf *b, const char *s, size_t len,
    struct oidc_error *err)
{
	const char	*rep;
	size_t		 i;
	int		 rc;

	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		default:
			rep = NULL;
			break;
		}
		rc = rep != NULL ? oidc_buf_puts(b, rep, err) :
		    oidc_buf_putc(b, s[i], err);
		if (rc == -1)
			return -1;
	}
	return 0;
}

struct oidc_str
oidc_buf_str(const struct oidc_buf *b)
{
	if (b->p == NULL)
		return OIDC_STR("");
	return (struct oidc_str){ b->p, b->len };
}
