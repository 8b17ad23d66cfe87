/*
 * cmd_resource.c: `oidcctl resource create|list|delete`, the protected
 * resources clients may name with the `resource` parameter (RFC 8707,
 * oidc/resource.h, sql/migrations/0022_resource.sql).
 */
#include <stdio.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/db.h"
#include "oidc/json.h"
#include "oidc/resource.h"
#include "oidc/scope.h"
#include "oidc/str.h"

#include "oidcctl.h"
#include "oidcctl_int.h"

static int
usage(int argc, char *argv[])
{
	printf("usage: oidcctl resource create IDENTIFIER [--scope SCOPES]\n"
	    "           [--format opaque|jwt] [--lifetime SECONDS]\n"
	    "       oidcctl resource list\n"
	    "       oidcctl resource delete IDENTIFIER\n\n"
	    "Register the protected resources clients may ask tokens for\n"
	    "with the resource parameter (RFC 8707).  IDENTIFIER: an absolute\n"
	    "URI without a fragment, the tokens' aud.  --scope: the scopes\n"
	    "(space-separated) a token for it may carry (default any);\n"
	    "--format: its access tokens' format (default the client's);\n"
	    "--lifetime: their lifetime, 1..86400 (default\n"
	    "access_token_ttl).  An unknown resource is invalid_target.\n");
	return oidcctl_wants_help(argc, argv) ? OIDCCTL_OK : OIDCCTL_USAGE;
}

/* The options of create into *r; -1 on a bad one. */
static int
create_opts(int argc, char *argv[], struct oidc_resource_row *r)
{
	struct oidc_error	 err = { 0 };
	struct oidc_scope	 s;
	uint64_t		 u;
	int			 i;

	for (i = 3; i + 1 < argc; i += 2) {
		const char	*v = argv[i + 1];

		if (strcmp(argv[i], "--scope") == 0) {
			r->scope = (struct oidc_str){ v, strlen(v) };
			if (oidc_scope_parse(r->scope, &s, &err) == -1 ||
			    s.n == 0)
				return -1;
		} else if (strcmp(argv[i], "--format") == 0) {
			if (strcmp(v, "opaque") != 0 && strcmp(v, "jwt") != 0)
				return -1;
			r->format = (struct oidc_str){ v, strlen(v) };
		} else if (strcmp(argv[i], "--lifetime") == 0) {
			if (oidc_parse_u64(v, strlen(v), 1, 86400, &u) == -1)
				return -1;
			r->lifetime = (int64_t)u;
		} else
			return -1;
	}
	return i == argc ? 0 : -1;
}

static int
create(struct oidcctl *o, int argc, char *argv[])
{
	struct oidc_resource_row	 r;
	struct oidc_error		 err = { 0 };
	int				 rc;

	memset(&r, 0, sizeof(r));
	r.identifier = (struct oidc_str){ argv[2], strlen(argv[2]) };
	if (!oidc_resource_syntax_ok(r.identifier) ||
	    create_opts(argc, argv, &r) == -1) {
		fprintf(stderr, "oidcctl: resource create: the identifier "
		    "must be an absolute URI without a fragment (at most %d "
		    "bytes), and the options valid\n", OIDC_RESOURCE_MAX_LEN);
		return OIDCCTL_USAGE;
	}
	if ((rc = oidc_db_resource_insert(o->db, &r, &err)) == -1) {
		oidcctl_fail("resource create", &err);
		return OIDCCTL_FAIL;
	}
	if (rc == 0) {
		fprintf(stderr, "oidcctl: resource %s already exists\n",
		    argv[2]);
		return OIDCCTL_CONFLICT;
	}
	oidcctl_audit("resource.created", "resource", argv[2], NULL, NULL);
	return OIDCCTL_OK;
}

/* One row as a JSON object line. */
static int
print_row(struct oidcctl *o, const struct oidc_resource_row *r)
{
	struct oidc_error	 err = { 0 };
	struct oidc_json	*j;

	if ((j = oidc_json_new_object(o->a)) == NULL ||
	    oidc_json_set_str(j, "identifier", r->identifier.p,
	    r->identifier.len, &err) == -1 ||
	    (r->scope.p != NULL && oidc_json_set_str(j, "scope", r->scope.p,
	    r->scope.len, &err) == -1) ||
	    (r->format.p != NULL && oidc_json_set_str(j,
	    "access_token_format", r->format.p, r->format.len, &err) == -1) ||
	    (r->lifetime > 0 && oidc_json_set_i64(j, "access_token_lifetime",
	    r->lifetime, &err) == -1))
		return -1;
	return oidcctl_print_json(o->a, j);
}

static int
list(struct oidcctl *o)
{
	struct oidc_resource_row	*rows;
	struct oidc_error		 err = { 0 };
	size_t				 n, i;

	if (oidc_db_resource_list(o->db, o->a, &rows, &n, &err) == -1) {
		oidcctl_fail("resource list", &err);
		return OIDCCTL_FAIL;
	}
	for (i = 0; i < n; i++)
		if (print_row(o, &rows[i]) == -1)
			return OIDCCTL_FAIL;
	return OIDCCTL_OK;
}

static int
delete(struct oidcctl *o, const char *id)
{
	struct oidc_error	 err = { 0 };
	int			 rc;

	if ((rc = oidc_db_resource_delete(o->db, (struct oidc_str){ id,
	    strlen(id) }, &err)) == -1) {
		oidcctl_fail("resource delete", &err);
		return OIDCCTL_FAIL;
	}
	if (rc == 0) {
		fprintf(stderr, "oidcctl: no resource %s\n", id);
		return OIDCCTL_NOT_FOUND;
	}
	oidcctl_audit("resource.deleted", "resource", id, NULL, NULL);
	return OIDCCTL_OK;
}

int
oidcctl_resource(int argc, char *argv[])
{
	struct oidcctl	 o;
	int		 rc;

	if (oidcctl_wants_help(argc, argv) || argc < 2 ||
	    (strcmp(argv[1], "create") == 0 && argc < 3) ||
	    (strcmp(argv[1], "delete") == 0 && argc != 3) ||
	    (strcmp(argv[1], "list") == 0 && argc != 2) ||
	    (strcmp(argv[1], "create") != 0 && strcmp(argv[1], "delete") != 0 &&
	    strcmp(argv[1], "list") != 0))
		return usage(argc, argv);
	if (oidcctl_open(&o) == -1)
		return OIDCCTL_FAIL;
	if (strcmp(argv[1], "create") == 0)
		rc = create(&o, argc, argv);
	else if (strcmp(argv[1], "list") == 0)
		rc = list(&o);
	else
		rc = delete(&o, argv[2]);
	oidcctl_close(&o);
	return rc;
}
