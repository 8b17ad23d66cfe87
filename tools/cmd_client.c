/*
 * cmd_client.c: `oidcctl client ...`: registering and managing clients.
 *
 * Secrets: generated (256 bits) unless the metadata carries client_secret
 * (at least 32 characters).  Only SHA-256(secret) is stored, plus the
 * secret sealed under the key_encryption_key when the client needs it
 * back (HS* signing, client_secret_jwt: OIDC Core 10.1 and 9; see
 * oidc/client.h); without a key_encryption_key such clients are refused.
 * seal-secrets seals the clear secrets of rows written before
 * 0009_client_secret_sealed.sql.  The secret is printed once, at creation
 * and rotation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/client.h"
#include "oidc/crypto.h"
#include "oidc/db.h"
#include "oidc/fapi.h"
#include "oidc/json.h"
#include "oidc/register.h"
#include "oidc/seal.h"
#include "oidcctl.h"
#include "oidcctl_int.h"

#define MAX_METADATA	(64 * 1024)

static int
usage(int rc)
{
	printf("usage: oidcctl client create       < metadata.json\n"
	    "       oidcctl client update [--force] ID < metadata.json\n"
	    "       oidcctl client rotate-secret ID\n"
	    "       oidcctl client list\n"
	    "       oidcctl client show ID\n"
	    "       oidcctl client delete ID\n"
	    "       oidcctl client approve ID\n"
	    "       oidcctl client unlock ID\n"
	    "       oidcctl client seal-secrets\n\n"
	    "create reads RFC 7591 client metadata (a JSON object) on stdin:\n"
	    "redirect_uris, response_types, grant_types, scope,\n"
	    "token_endpoint_auth_method, id_token_signed_response_alg,\n"
	    "userinfo_signed_response_alg, authorization_signed_response_alg,\n"
	    "client_name, ...; client_id and\n"
	    "client_secret are generated when absent; \"first_party\": true\n"
	    "skips the consent page; \"login\": \"remote_user\" (or \"password\")\n"
	    "overrides oidc.conf login for this client (docs/REMOTE-USER.md).\n"
	    "It prints the registered client as JSON,\n"
	    "the client_secret included (shown only this once).\n"
	    "update replaces the metadata (the secret is kept); a client made\n"
	    "by dynamic registration gets a scope outside registration_scopes\n"
	    "only with --force (its registrant still manages it); rotate-secret\n"
	    "prints a new secret and invalidates the old one.\n"
	    "list prints a JSON array; show prints one client without secret,\n"
	    "with its failed_authentications and locked state.\n"
	    "unlock forgets the client's failed authentications.\n"
	    "approve marks a client made through /register as vetted: its\n"
	    "error and post-logout redirects are then sent without the\n"
	    "\"you are leaving\" page (clients made here are approved).\n"
	    "Clients that need their secret back (client_secret_jwt, HS*)\n"
	    "need key_encryption_key: the secret is stored sealed with it.\n"
	    "seal-secrets seals the clear secrets left by versions before\n"
	    "0009_client_secret_sealed.sql.\n"
	    "exit: 0 ok, 1 failure, 2 invalid input, 3 not found, 4 exists\n");
	return rc;
}

int
oidcctl_print_json(struct oidc_arena *a, const struct oidc_json *j)
{
	struct oidc_error	 err = { 0 };
	const char		*s;

	if ((s = oidc_json_serialize(j, a, NULL, &err)) == NULL)
		return -1;
	printf("%s\n", s);
	return 0;
}

/* A client as printed: metadata plus client_id, without any secret. */
static struct oidc_json *
client_view(struct oidc_arena *a, const struct oidc_client_row *row,
    struct oidc_error *err)
{
	struct oidc_json	*m;

	if (oidc_json_parse(a, row->metadata.p, row->metadata.len, 0, &m,
	    err) == -1)
		return NULL;
	if (oidc_json_set_str(m, "client_id", row->client_id.p,
	    row->client_id.len, err) == -1 ||
	    oidc_json_set_bool(m, "first_party", row->first_party, err) == -1 ||
	    oidc_json_set_bool(m, "approved", row->approved, err) == -1)
		return NULL;
	return m;
}

/* Fill the secret columns of row; *secret_out is the plaintext. */
static int
make_secret(struct oidcctl *o, const struct oidc_json *meta,
    struct oidc_str given, struct oidc_client_row *row,
    const char **secret_out, struct oidc_error *err)
{
	return oidc_register_secret(o->a, o->kek, meta, given, row, secret_out,
	    err);
}

/* Parse stdin, normalise, split off client_id/client_secret/first_party. */
static int
read_metadata(struct oidcctl *o, struct oidc_json **meta,
    struct oidc_str *client_id, struct oidc_str *secret, bool *first_party,
    struct oidc_error *err)
{
	struct oidc_json	*in;
	char			*buf;
	size_t			 len;
	int			 rc = -1;

	if ((buf = oidcctl_read_stdin(MAX_METADATA, &len)) == NULL)
		return oidc_fail(err, OIDC_E_INVALID_CLIENT_METADATA,
		    "cannot read metadata (at most 64 KiB) from stdin", "read");
	if (oidc_json_parse(o->a, buf, len, 0, &in, err) == -1)
		goto out;
	*client_id = *secret = OIDC_STR_NULL;
	*first_party = false;
	if (oidc_json_get_str(in, "client_id", client_id, err) == -1 ||
	    oidc_json_get_str(in, "client_secret", secret, err) == -1 ||
	    oidc_json_get_bool(in, "first_party", first_party, err) == -1)
		goto out;
	/* Copy out of `in` before the members are deleted. */
	if (client_id->p != NULL && (client_id->p = oidc_arena_strndup(o->a,
	    client_id->p, client_id->len)) == NULL)
		goto out;
	if (secret->p != NULL && (secret->p = oidc_arena_strndup(o->a,
	    secret->p, secret->len)) == NULL)
		goto out;
	oidc_json_del(in, "client_id");
	oidc_json_del(in, "client_secret");
	oidc_json_del(in, "first_party");
	oidc_json_del(in, "client_id_issued_at");
	oidc_json_del(in, "client_secret_expires_at");
	/* No sector_identifier_uri fetch here: the operator is trusted. */
	if (oidc_client_normalize(o->a, in, (o->cfg.outbound_allow_private ?
	    OIDC_CLIENT_ALLOW_PRIVATE : 0) | (o->cfg.pairwise_salt_file !=
	    NULL ? OIDC_CLIENT_PAIRWISE : 0) | oidc_fapi2_client_flags(&o->cfg),
	    meta, err) == -1)
		goto out;
	rc = 0;
out:
	oidc_wipe(buf, len);
	free(buf);
	return rc;
}

static int
exit_for(const struct oidc_error *err)
{
	switch (err->code) {
	case OIDC_E_INVALID_REQUEST:
	case OIDC_E_INVALID_CLIENT_METADATA:
	case OIDC_E_INVALID_REDIRECT_URI:
	case OIDC_E_LIMIT:
		return OIDCCTL_USAGE;
	default:
		return OIDCCTL_FAIL;
	}
}

static int
cmd_create(struct oidcctl *o)
{
	struct oidc_error	 err = { 0 };
	struct oidc_client_row	 row;
	struct oidc_json	*meta, *view;
	struct oidc_str		 given;
	const char		*secret;
	int			 rc;

	memset(&row, 0, sizeof(row));
	if (read_metadata(o, &meta, &row.client_id, &given, &row.first_party,
	    &err) == -1) {
		oidcctl_fail("client create", &err);
		return exit_for(&err);
	}
	if (row.client_id.p == NULL &&
	    (row.client_id.p = oidc_random_token(o->a, 16, &err)) != NULL)
		row.client_id.len = strlen(row.client_id.p);
	if (row.client_id.p == NULL || row.client_id.len == 0 ||
	    row.client_id.len > OIDC_CLIENT_ID_MAX_LEN ||
	    !oidc_str_is_vschar(row.client_id.p, row.client_id.len) ||
	    memchr(row.client_id.p, ' ', row.client_id.len) != NULL) {
		fprintf(stderr, "oidcctl: client create: client_id must be 1-128 "
		    "printable characters without spaces\n");
		return OIDCCTL_USAGE;
	}
	if (make_secret(o, meta, given, &row, &secret, &err) == -1) {
		oidcctl_fail("client create", &err);
		return exit_for(&err);
	}
	if (oidc_client_row_set_metadata(o->a, meta, &row, &err) == -1)
		return OIDCCTL_FAIL;
	if ((rc = oidc_db_client_insert(o->db, &row, &err)) == -1) {
		oidcctl_fail("client create", &err);
		return OIDCCTL_FAIL;
	}
	if (rc == 0) {
		fprintf(stderr, "oidcctl: client create: client_id %s already "
		    "exists\n", row.client_id.p);
		return OIDCCTL_CONFLICT;
	}
	oidcctl_audit("client.created", "client_id", row.client_id.p, NULL,
	    NULL);
	if ((view = client_view(o->a, &row, &err)) == NULL ||
	    (secret != NULL &&
	    oidc_json_set_cstr(view, "client_secret", secret, &err) == -1) ||
	    oidc_json_set_i64(view, "client_secret_expires_at", 0, &err) == -1 ||
	    oidcctl_print_json(o->a, view) == -1)
		return OIDCCTL_FAIL;
	return OIDCCTL_OK;
}

/*
 * SECURITY (issue 15 item 5): the operator may give any client any scope,
 * but a client created by dynamic registration is still managed by its
 * registrant (RFC 7592), who under open registration is anyone: widening
 * its scope beyond registration_scopes hands that party the new scope, so
 * it needs --force.  Values the client already holds may stay.  1 when
 * the update must be refused (message printed), 0 when it may go on, -1
 * on error.
 */
static int
dynamic_scope_refused(struct oidcctl *o, struct oidc_str id,
    struct oidc_json *meta, struct oidc_error *err)
{
	struct oidc_error	 why = { 0 }, tmp = { 0 };
	struct oidc_client_row	 reg;
	struct oidc_json	*old_meta;
	struct oidc_str		 held = OIDC_STR_NULL, want = OIDC_STR_NULL;
	int			 rc;

	if ((rc = oidc_db_client_reg_get(o->db, o->a, id, &reg, err)) != 1)
		return rc;	/* made with oidcctl: nothing to check */
	if (oidc_json_parse(o->a, reg.metadata.p, reg.metadata.len, 0,
	    &old_meta, err) == -1)
		return -1;
	if (oidc_json_get_str(old_meta, "scope", &held, &tmp) != 1)
		held = OIDC_STR_NULL;
	if (oidc_json_get_str(meta, "scope", &want, &tmp) != 1)
		return 0;	/* absent: oidc_scope_allowed's default */
	if (oidc_register_check_scope(meta, o->cfg.registration_scopes, held,
	    &why) == 0)
		return 0;
	fprintf(stderr, "oidcctl: client update: client %.*s was created by "
	    "dynamic registration and scope \"%.*s\" is outside "
	    "registration_scopes; use --force to grant it anyway\n",
	    (int)id.len, id.p, (int)want.len, want.p);
	return 1;
}

static int
cmd_update(struct oidcctl *o, const char *id, bool force)
{
	struct oidc_error	 err = { 0 };
	struct oidc_client_row	 row, old;
	struct oidc_json	*meta, *view;
	struct oidc_str		 ignored_id, given;
	const char		*secret = NULL, *kept;
	bool			 needs_plain;
	int			 rc;

	memset(&row, 0, sizeof(row));
	if (read_metadata(o, &meta, &ignored_id, &given, &row.first_party,
	    &err) == -1) {
		oidcctl_fail("client update", &err);
		return exit_for(&err);
	}
	row.client_id = (struct oidc_str){ id, strlen(id) };
	if ((rc = oidc_db_client_get(o->db, o->a, row.client_id, &old,
	    &err)) != 1) {
		if (rc == 0)
			fprintf(stderr, "oidcctl: client %s not found\n", id);
		else
			oidcctl_fail("client update", &err);
		return rc == 0 ? OIDCCTL_NOT_FOUND : OIDCCTL_FAIL;
	}
	if (!force && (rc = dynamic_scope_refused(o, row.client_id, meta,
	    &err)) != 0) {
		if (rc == -1)
			oidcctl_fail("client update", &err);
		return rc == 1 ? OIDCCTL_USAGE : OIDCCTL_FAIL;
	}
	/*
	 * Keep the secret (not printed again) unless a new one was given or
	 * the method now needs it back and it was never kept.
	 */
	needs_plain = oidc_client_needs_plain_secret(meta);
	if (given.p != NULL || !old.has_secret_hash || (needs_plain &&
	    old.secret_sealed == NULL && old.secret_plain.p == NULL))
		rc = make_secret(o, meta, given, &row, &secret, &err);
	else
		rc = oidc_register_keep_secret(o->a, o->kek, meta, &old, &row,
		    &kept, &err);
	if (rc == -1) {
		oidcctl_fail("client update", &err);
		return exit_for(&err);
	}
	if (oidc_client_row_set_metadata(o->a, meta, &row, &err) == -1)
		return OIDCCTL_FAIL;
	if (oidc_db_client_update(o->db, &row, &err) != 1) {
		oidcctl_fail("client update", &err);
		return OIDCCTL_FAIL;
	}
	oidcctl_audit("client.updated", "client_id", id, NULL, NULL);
	if ((view = client_view(o->a, &row, &err)) == NULL ||
	    (secret != NULL &&
	    oidc_json_set_cstr(view, "client_secret", secret, &err) == -1) ||
	    oidcctl_print_json(o->a, view) == -1)
		return OIDCCTL_FAIL;
	return OIDCCTL_OK;
}

static int
cmd_rotate(struct oidcctl *o, const char *id)
{
	struct oidc_error	 err = { 0 };
	struct oidc_client_row	 row;
	struct oidc_json	*meta, *view;
	const char		*secret;
	int			 rc;

	rc = oidc_db_client_get(o->db, o->a, (struct oidc_str){ id,
	    strlen(id) }, &row, &err);
	if (rc != 1) {
		if (rc == 0)
			fprintf(stderr, "oidcctl: client %s not found\n", id);
		else
			oidcctl_fail("client rotate-secret", &err);
		return rc == 0 ? OIDCCTL_NOT_FOUND : OIDCCTL_FAIL;
	}
	if (oidc_json_parse(o->a, row.metadata.p, row.metadata.len, 0, &meta,
	    &err) == -1 ||
	    make_secret(o, meta, OIDC_STR_NULL, &row, &secret, &err) == -1 ||
	    oidc_client_row_set_metadata(o->a, meta, &row, &err) == -1) {
		oidcctl_fail("client rotate-secret", &err);
		return OIDCCTL_FAIL;
	}
	if (secret == NULL) {
		fprintf(stderr, "oidcctl: client %s has no shared secret "
		    "(token_endpoint_auth_method)\n", id);
		return OIDCCTL_USAGE;
	}
	if (oidc_db_client_update(o->db, &row, &err) != 1 ||
	    (view = client_view(o->a, &row, &err)) == NULL ||
	    oidc_json_set_cstr(view, "client_secret", secret, &err) == -1 ||
	    oidcctl_print_json(o->a, view) == -1) {
		oidcctl_fail("client rotate-secret", &err);
		return OIDCCTL_FAIL;
	}
	oidcctl_audit("client.updated", "client_id", id, "change",
	    "secret_rotated");
	return OIDCCTL_OK;
}

static int
cmd_show(struct oidcctl *o, const char *id)
{
	struct oidc_error	 err = { 0 };
	struct oidc_client_row	 row;
	struct oidc_throttle	 t;
	struct oidc_json	*view;
	int			 rc;

	rc = oidc_db_client_get(o->db, o->a, (struct oidc_str){ id,
	    strlen(id) }, &row, &err);
	if (rc == 0) {
		fprintf(stderr, "oidcctl: client %s not found\n", id);
		return OIDCCTL_NOT_FOUND;
	}
	/* The lock state: man/oidcctl.8, "client show". */
	if (rc == -1 || (view = client_view(o->a, &row, &err)) == NULL ||
	    oidc_db_client_auth_state(o->db, row.client_id,
	    o->cfg.login_window, o->cfg.client_auth_max_failures, &t,
	    &err) == -1 ||
	    oidc_json_set_i64(view, "failed_authentications", t.n,
	    &err) == -1 ||
	    oidc_json_set_bool(view, "locked", t.wait > 0, &err) == -1 ||
	    oidcctl_print_json(o->a, view) == -1) {
		oidcctl_fail("client show", &err);
		return OIDCCTL_FAIL;
	}
	return OIDCCTL_OK;
}

static int
cmd_list(struct oidcctl *o)
{
	struct oidc_error	 err = { 0 };
	struct oidc_client_row	*rows;
	struct oidc_json	*arr, *view;
	size_t			 n, i;

	if (oidc_db_client_list(o->db, o->a, &rows, &n, &err) == -1 ||
	    (arr = oidc_json_new_array(o->a)) == NULL) {
		oidcctl_fail("client list", &err);
		return OIDCCTL_FAIL;
	}
	for (i = 0; i < n; i++)
		if ((view = client_view(o->a, &rows[i], &err)) == NULL ||
		    oidc_json_array_add(arr, view, &err) == -1)
			return OIDCCTL_FAIL;
	return oidcctl_print_json(o->a, arr) == 0 ? OIDCCTL_OK : OIDCCTL_FAIL;
}

static int
cmd_approve(struct oidcctl *o, const char *id)
{
	struct oidc_error	 err = { 0 };
	int			 rc;

	rc = oidc_db_client_approve(o->db, (struct oidc_str){ id,
	    strlen(id) }, &err);
	if (rc == -1) {
		oidcctl_fail("client approve", &err);
		return OIDCCTL_FAIL;
	}
	if (rc == 0) {
		fprintf(stderr, "oidcctl: client %s not found\n", id);
		return OIDCCTL_NOT_FOUND;
	}
	oidcctl_audit("client.updated", "client_id", id, "change",
	    "approved");
	return OIDCCTL_OK;
}

/*
 * Forget the client's failed authentications from every source (issue 15
 * item 3), like `user unlock`; the per-address records stay.
 */
static int
cmd_unlock(struct oidcctl *o, const char *id)
{
	struct oidc_error	 err = { 0 };
	struct oidc_client_row	 row;
	struct oidc_str		 n = { id, strlen(id) };
	int64_t			 deleted;
	int			 rc;

	if ((rc = oidc_db_client_get(o->db, o->a, n, &row, &err)) == 0) {
		fprintf(stderr, "oidcctl: client %s not found\n", id);
		return OIDCCTL_NOT_FOUND;
	}
	if (rc == -1 || oidc_db_client_unlock(o->db, n, &deleted,
	    &err) == -1) {
		oidcctl_fail("client unlock", &err);
		return OIDCCTL_FAIL;
	}
	printf("%s: %lld failed authentication(s) forgotten\n", id,
	    (long long)deleted);
	return OIDCCTL_OK;
}

/*
 * Seal every clear secret_plain left by versions before
 * 0009_client_secret_sealed.sql, in one transaction: all rows or none.
 */
static int
cmd_seal_secrets(struct oidcctl *o)
{
	struct oidc_error	 err = { 0 };
	struct oidc_client_row	*rows;
	size_t			 n, i;
	int			 rc;

	if (o->kek == NULL) {
		fprintf(stderr, "oidcctl: client seal-secrets: "
		    "key_encryption_key is not set in the configuration\n");
		return OIDCCTL_USAGE;
	}
	if (oidc_db_begin(o->db, &err) == -1 ||
	    oidc_db_client_list_unsealed(o->db, o->a, &rows, &n, &err) == -1)
		goto fail;
	for (i = 0; i < n; i++) {
		if (oidc_client_secret_seal(o->a, o->kek, rows[i].client_id,
		    rows[i].secret_plain, &rows[i].secret_sealed,
		    &rows[i].secret_sealed_len, &err) == -1 ||
		    (rc = oidc_db_client_seal_secret(o->db, &rows[i],
		    &err)) == -1)
			goto fail;
		if (rc == 0) {	/* locked FOR UPDATE: cannot happen */
			(void)oidc_fail(&err, OIDC_E_DB, NULL, "client %s "
			    "changed while being sealed", rows[i].client_id.p);
			goto fail;
		}
	}
	if (oidc_db_commit(o->db, &err) == -1)
		goto fail;
	printf("sealed %zu client secret%s\n", n, n == 1 ? "" : "s");
	return OIDCCTL_OK;
fail:
	oidc_db_rollback(o->db);
	oidcctl_fail("client seal-secrets", &err);
	return OIDCCTL_FAIL;
}

static int
cmd_delete(struct oidcctl *o, const char *id)
{
	struct oidc_error	 err = { 0 };
	int			 rc;

	rc = oidc_db_client_delete(o->db, (struct oidc_str){ id, strlen(id) },
	    &err);
	if (rc == -1) {
		oidcctl_fail("client delete", &err);
		return OIDCCTL_FAIL;
	}
	if (rc == 0) {
		fprintf(stderr, "oidcctl: client %s not found\n", id);
		return OIDCCTL_NOT_FOUND;
	}
	oidcctl_audit("client.deleted", "client_id", id, NULL, NULL);
	return OIDCCTL_OK;
}

int
oidcctl_client(int argc, char *argv[])
{
	struct oidc_error	 err = { 0 };
	struct oidcctl		 o;
	unsigned char		 kek[OIDC_SEAL_KEY_LEN];
	const char		*sub;
	bool			 force = false;
	int			 rc = OIDCCTL_FAIL;

	if (argc < 2 || oidcctl_wants_help(argc, argv))
		return usage(argc < 2 ? OIDCCTL_USAGE : OIDCCTL_OK);
	sub = argv[1];
	if (strcmp(sub, "update") == 0 && argc == 4 &&
	    strcmp(argv[2], "--force") == 0) {
		force = true;
		argv[2] = argv[3];
		argc = 3;
	}
	if (!((strcmp(sub, "create") == 0 && argc == 2) ||
	    (strcmp(sub, "list") == 0 && argc == 2) ||
	    (strcmp(sub, "seal-secrets") == 0 && argc == 2) ||
	    ((strcmp(sub, "show") == 0 || strcmp(sub, "delete") == 0 ||
	    strcmp(sub, "update") == 0 || strcmp(sub, "rotate-secret") == 0 ||
	    strcmp(sub, "approve") == 0 || strcmp(sub, "unlock") == 0) &&
	    argc == 3)))
		return usage(OIDCCTL_USAGE);
	if (oidcctl_open(&o) == -1)
		goto out;
	/* Only the commands that write secrets read the KEK. */
	if (o.cfg.key_encryption_key != NULL && (strcmp(sub, "create") == 0 ||
	    strcmp(sub, "update") == 0 || strcmp(sub, "rotate-secret") == 0 ||
	    strcmp(sub, "seal-secrets") == 0)) {
		if (oidc_seal_key_load(o.cfg.key_encryption_key, kek,
		    &err) == -1) {
			fprintf(stderr, "oidcctl: client: %s\n", err.detail);
			goto out;
		}
		o.kek = kek;
	}
	if (strcmp(sub, "create") == 0)
		rc = cmd_create(&o);
	else if (strcmp(sub, "list") == 0)
		rc = cmd_list(&o);
	else if (strcmp(sub, "show") == 0)
		rc = cmd_show(&o, argv[2]);
	else if (strcmp(sub, "update") == 0)
		rc = cmd_update(&o, argv[2], force);
	else if (strcmp(sub, "rotate-secret") == 0)
		rc = cmd_rotate(&o, argv[2]);
	else if (strcmp(sub, "approve") == 0)
		rc = cmd_approve(&o, argv[2]);
	else if (strcmp(sub, "unlock") == 0)
		rc = cmd_unlock(&o, argv[2]);
	else if (strcmp(sub, "seal-secrets") == 0)
		rc = cmd_seal_secrets(&o);
	else
		rc = cmd_delete(&o, argv[2]);
out:
	oidc_wipe(kek, sizeof(kek));
	oidcctl_close(&o);
	return rc;
}
