/*
 * cmd_user.c: `oidcctl user ...`: end-user accounts and their claims.
 *
 * Passwords come on stdin (one trailing newline is dropped) and are stored
 * only as scrypt hashes.  Claims are OpenID Connect Core 5.1 standard
 * claims and the custom claims oidc.conf declares (`scope`, oidc/scope.h)
 * as a JSON object; any other name is refused; `sub` is assigned by the
 * provider (random, never reused) and cannot be set.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/buf.h"
#include "oidc/crypto.h"
#include "oidc/db.h"
#include "oidc/json.h"
#include "oidc/scope.h"
#include "oidcctl.h"
#include "oidcctl_int.h"

#define MAX_CLAIMS	(32 * 1024)

static int
usage(int rc)
{
	printf("usage: oidcctl user create NAME        < password\n"
	    "       oidcctl user set-password NAME  < password\n"
	    "       oidcctl user set-claims NAME    < claims.json\n"
	    "       oidcctl user disable|enable NAME\n"
	    "       oidcctl user list\n"
	    "       oidcctl user show NAME\n"
	    "       oidcctl user delete NAME\n"
	    "       oidcctl user unlock NAME\n"
	    "       oidcctl user totp enroll|disable|status NAME\n\n"
	    "NAME is the login name (1-128 printable characters).  Passwords\n"
	    "are read from stdin (one trailing newline dropped; 1-1024 bytes)\n"
	    "and stored as scrypt hashes.  set-claims takes OpenID Connect\n"
	    "standard claims (name, given_name, email, email_verified,\n"
	    "address, phone_number, ...) and the custom claims declared by\n"
	    "`scope` lines of oidc.conf, as a JSON object, and replaces the\n"
	    "stored ones; any other name is refused; \"sub\" is assigned by\n"
	    "the provider.\n"
	    "show and list print JSON (never the password hash).\n"
	    "unlock forgets the account's failed logins from every address,\n"
	    "so no login of it is delayed any more.\n"
	    "exit: 0 ok, 1 failure, 2 invalid input, 3 not found, 4 exists\n");
	return rc;
}

static bool
valid_name(const char *n)
{
	size_t	 len = strlen(n);

	return len > 0 && len <= 128 && oidc_str_is_vschar(n, len) &&
	    strchr(n, ' ') == NULL;
}

static char *
read_password(struct oidcctl *o, size_t *len)
{
	char	*buf, *copy;

	if ((buf = oidcctl_read_stdin(OIDC_PASSWORD_MAX_LEN + 1, len)) == NULL)
		return NULL;
	if (*len > 0 && buf[*len - 1] == '\n')
		(*len)--;
	if (*len > 0 && buf[*len - 1] == '\r')
		(*len)--;
	copy = (*len == 0 || *len > OIDC_PASSWORD_MAX_LEN ||
	    memchr(buf, '\0', *len) != NULL) ? NULL :
	    oidc_arena_strndup(o->a, buf, *len);
	oidc_wipe(buf, OIDC_PASSWORD_MAX_LEN + 1);
	free(buf);
	return copy;
}

static char *
hash_stdin_password(struct oidcctl *o, struct oidc_error *err)
{
	char	*pw, *hash;
	size_t	 len;

	if ((pw = read_password(o, &len)) == NULL) {
		fprintf(stderr, "oidcctl: the password on stdin must be 1-1024 "
		    "bytes without NUL\n");
		return NULL;
	}
	hash = oidc_password_hash(o->a, pw, len, 0, err);
	oidc_wipe(pw, len);
	if (hash == NULL)
		oidcctl_fail("password", err);
	return hash;
}

struct unknown_arg {
	const struct oidc_config	*cfg;
	struct oidc_buf			*names;
	struct oidc_error		*err;
};

/* Collect a claim name that is neither standard nor declared. */
static int
add_unknown(void *arg, const char *key, struct oidc_json *val)
{
	struct unknown_arg	*u = arg;

	(void)val;
	if (strcmp(key, "sub") == 0 || oidc_claim_is_standard(key) ||
	    oidc_claim_is_declared(u->cfg, key))
		return 0;
	if (u->names->len > 0 &&
	    oidc_buf_puts(u->names, ", ", u->err) == -1)
		return -1;
	return oidc_buf_puts(u->names, key, u->err);
}

/*
 * Claims no token would ever carry are refused, named, rather than stored
 * and silently dropped: every name must be a standard claim (OIDC Core
 * 5.1) or one that a `scope` line of oidc.conf declares.
 */
static int
check_known(struct oidcctl *o, struct oidc_json *j, struct oidc_error *err)
{
	struct oidc_buf		 names;
	struct unknown_arg	 u = { &o->cfg, &names, err };

	oidc_buf_init(&names, o->a, MAX_CLAIMS);
	if (oidc_json_foreach(j, add_unknown, &u) != 0)
		return -1;
	if (names.len == 0)
		return 0;
	return oidc_fail(err, OIDC_E_INVALID_REQUEST, NULL, "claims neither "
	    "standard nor declared by a scope line of the configuration "
	    "(oidc.conf(5)): %.*s", (int)names.len,
	    oidc_buf_str(&names).p);
}

/*
 * Reject what cannot be a claims object: non-object, "sub", and names
 * that are neither standard nor declared.
 */
static int
read_claims(struct oidcctl *o, struct oidc_str *out, struct oidc_error *err)
{
	struct oidc_json	*j;
	const char		*s;
	char			*buf;
	size_t			 len;
	int			 rc = -1;

	if ((buf = oidcctl_read_stdin(MAX_CLAIMS, &len)) == NULL)
		return oidc_fail(err, OIDC_E_INVALID_REQUEST,
		    "cannot read claims (at most 32 KiB) from stdin", "read");
	if (oidc_json_parse(o->a, buf, len, MAX_CLAIMS, &j, err) == -1)
		goto out;
	if (oidc_json_has(j, "sub")) {
		oidc_fail(err, OIDC_E_INVALID_REQUEST,
		    "sub is assigned by the provider and cannot be set", "sub");
		goto out;
	}
	if (check_known(o, j, err) == -1)
		goto out;
	if ((s = oidc_json_serialize(j, o->a, &len, err)) == NULL)
		goto out;
	*out = (struct oidc_str){ s, len };
	rc = 0;
out:
	free(buf);
	return rc;
}

static struct oidc_json *
user_view(struct oidc_arena *a, const struct oidc_user_row *u,
    struct oidc_error *err)
{
	struct oidc_json	*v, *claims;

	if ((v = oidc_json_new_object(a)) == NULL ||
	    oidc_json_parse(a, u->claims.p, u->claims.len, 0, &claims,
	    err) == -1 ||
	    oidc_json_set_str(v, "username", u->username.p, u->username.len,
	    err) == -1 ||
	    oidc_json_set_str(v, "sub", u->sub.p, u->sub.len, err) == -1 ||
	    oidc_json_set_bool(v, "disabled", u->disabled, err) == -1 ||
	    oidc_json_set_obj(v, "claims", claims, err) == -1)
		return NULL;
	return v;
}

static int
not_found(const char *name)
{
	fprintf(stderr, "oidcctl: user %s not found\n", name);
	return OIDCCTL_NOT_FOUND;
}

static int
cmd_create(struct oidcctl *o, const char *name)
{
	struct oidc_error	 err = { 0 };
	struct oidc_user_row	 u;
	struct oidc_json	*v;
	char			*hash;
	int			 rc;

	memset(&u, 0, sizeof(u));
	if ((hash = hash_stdin_password(o, &err)) == NULL)
		return OIDCCTL_USAGE;
	u.username = (struct oidc_str){ name, strlen(name) };
	u.password_hash = (struct oidc_str){ hash, strlen(hash) };
	u.claims = OIDC_STR("{}");
	if ((u.sub.p = oidc_random_token(o->a, 16, &err)) == NULL)
		return OIDCCTL_FAIL;
	u.sub.len = strlen(u.sub.p);
	if ((rc = oidc_db_user_insert(o->db, &u, &err)) == -1) {
		oidcctl_fail("user create", &err);
		return OIDCCTL_FAIL;
	}
	if (rc == 0) {
		fprintf(stderr, "oidcctl: user %s already exists\n", name);
		return OIDCCTL_CONFLICT;
	}
	if (oidc_json_parse(o->a, "{}", 2, 0, &v, &err) == -1 ||
	    oidc_json_set_cstr(v, "username", name, &err) == -1 ||
	    oidc_json_set_cstr(v, "sub", u.sub.p, &err) == -1 ||
	    oidcctl_print_json(o->a, v) == -1)
		return OIDCCTL_FAIL;
	return OIDCCTL_OK;
}

static int
cmd_update(struct oidcctl *o, const char *sub, const char *name)
{
	struct oidc_error	 err = { 0 };
	struct oidc_str		 n = { name, strlen(name) }, v;
	char			*hash;
	int			 rc;

	if (strcmp(sub, "set-claims") == 0) {
		if (read_claims(o, &v, &err) == -1) {
			oidcctl_fail("user set-claims", &err);
			return OIDCCTL_USAGE;
		}
		rc = oidc_db_user_set_claims(o->db, n, v, &err);
	} else if (strcmp(sub, "set-password") == 0) {
		if ((hash = hash_stdin_password(o, &err)) == NULL)
			return OIDCCTL_USAGE;
		rc = oidc_db_user_set_password(o->db, n,
		    (struct oidc_str){ hash, strlen(hash) }, &err);
	} else if (strcmp(sub, "delete") == 0)
		rc = oidc_db_user_delete(o->db, n, &err);
	else
		rc = oidc_db_user_set_disabled(o->db, n,
		    strcmp(sub, "disable") == 0, &err);
	if (rc == -1) {
		oidcctl_fail(sub, &err);
		return OIDCCTL_FAIL;
	}
	return rc == 0 ? not_found(name) : OIDCCTL_OK;
}

static int
cmd_show(struct oidcctl *o, const char *name)
{
	struct oidc_error	 err = { 0 };
	struct oidc_user_row	 u;
	struct oidc_throttle	 t;
	struct oidc_json	*v;
	int			 rc;

	rc = oidc_db_user_get_by_name(o->db, o->a, (struct oidc_str){ name,
	    strlen(name) }, &u, &err);
	if (rc == 0)
		return not_found(name);
	/* The lock state: man/oidcctl.8, "user show". */
	if (rc == -1 || (v = user_view(o->a, &u, &err)) == NULL ||
	    oidc_db_login_state(o->db, u.username, o->cfg.login_window,
	    o->cfg.login_max_failures, &t, &err) == -1 ||
	    oidc_json_set_i64(v, "failed_logins", t.n, &err) == -1 ||
	    oidc_json_set_bool(v, "locked", t.wait > 0, &err) == -1 ||
	    oidcctl_print_json(o->a, v) == -1) {
		oidcctl_fail("user show", &err);
		return OIDCCTL_FAIL;
	}
	return OIDCCTL_OK;
}

/*
 * Forget the account's failed logins (issue 15 item 3): what a user who
 * mistyped their password, or whose address an attacker shares, needs.
 * The per-address records stay: they belong to the address, not to it.
 */
static int
cmd_unlock(struct oidcctl *o, const char *name)
{
	struct oidc_error	 err = { 0 };
	struct oidc_user_row	 u;
	struct oidc_str		 n = { name, strlen(name) };
	int64_t			 deleted;
	int			 rc;

	if ((rc = oidc_db_user_get_by_name(o->db, o->a, n, &u, &err)) == 0)
		return not_found(name);
	if (rc == -1 || oidc_db_login_unlock(o->db, n, &deleted, &err) == -1) {
		oidcctl_fail("user unlock", &err);
		return OIDCCTL_FAIL;
	}
	printf("%s: %lld failed login(s) forgotten\n", name,
	    (long long)deleted);
	return OIDCCTL_OK;
}

static int
cmd_list(struct oidcctl *o)
{
	struct oidc_error	 err = { 0 };
	struct oidc_user_row	*rows;
	struct oidc_json	*arr, *v;
	size_t			 n, i;

	if (oidc_db_user_list(o->db, o->a, &rows, &n, &err) == -1 ||
	    (arr = oidc_json_new_array(o->a)) == NULL) {
		oidcctl_fail("user list", &err);
		return OIDCCTL_FAIL;
	}
	for (i = 0; i < n; i++)
		if ((v = user_view(o->a, &rows[i], &err)) == NULL ||
		    oidc_json_array_add(arr, v, &err) == -1)
			return OIDCCTL_FAIL;
	return oidcctl_print_json(o->a, arr) == 0 ? OIDCCTL_OK : OIDCCTL_FAIL;
}

int
oidcctl_user(int argc, char *argv[])
{
	static const char *const with_name[] = { "create", "set-claims",
	    "set-password", "disable", "enable", "show", "delete", "unlock" };
	struct oidcctl	 o;
	const char	*sub;
	size_t		 i;
	int		 rc = OIDCCTL_FAIL;

	if (argc < 2 || oidcctl_wants_help(argc, argv))
		return usage(argc < 2 ? OIDCCTL_USAGE : OIDCCTL_OK);
	sub = argv[1];
	/* The second factor (cmd_totp.c). */
	if (strcmp(sub, "totp") == 0)
		return oidcctl_user_totp(argc - 1, argv + 1);
	for (i = 0; i < OIDC_NELEM(with_name); i++)
		if (strcmp(sub, with_name[i]) == 0)
			break;
	if (i < OIDC_NELEM(with_name) ? argc != 3 || !valid_name(argv[2]) :
	    strcmp(sub, "list") != 0 || argc != 2)
		return usage(OIDCCTL_USAGE);
	if (oidcctl_open(&o) == -1)
		goto out;
	if (strcmp(sub, "create") == 0)
		rc = cmd_create(&o, argv[2]);
	else if (strcmp(sub, "list") == 0)
		rc = cmd_list(&o);
	else if (strcmp(sub, "show") == 0)
		rc = cmd_show(&o, argv[2]);
	else if (strcmp(sub, "unlock") == 0)
		rc = cmd_unlock(&o, argv[2]);
	else
		rc = cmd_update(&o, sub, argv[2]);
out:
	oidcctl_close(&o);
	return rc;
}
