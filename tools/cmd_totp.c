/*
 * cmd_totp.c: `oidcctl user totp enroll|disable|status NAME`: the TOTP
 * second factor of an account (oidc/totp.h).
 *
 * enroll makes a fresh secret, stores it sealed under the
 * key_encryption_key with OIDC_TOTP_RECOVERY_CODES fresh recovery codes
 * (hashed), and prints the otpauth:// URI, then the recovery codes, one a
 * line: the only time either is shown.  An account that already has one
 * is refused (disable first).  The account's sessions end, so none made
 * with the password alone outlives the enrolment (the authorization
 * endpoint then need not look the enrolment up for every session).
 */
#include <stdio.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/crypto.h"
#include "oidc/db.h"
#include "oidc/json.h"
#include "oidc/seal.h"
#include "oidc/totp.h"
#include "oidcctl.h"
#include "oidcctl_int.h"

static int
usage(int rc)
{
	printf("usage: oidcctl user totp enroll NAME\n"
	    "       oidcctl user totp disable NAME\n"
	    "       oidcctl user totp status NAME\n\n"
	    "enroll prints the otpauth:// URI of a new authenticator (for an\n"
	    "app or a QR code), then %d single-use recovery codes, one a line;\n"
	    "neither is shown again.  It needs key_encryption_key (the\n"
	    "secret is sealed with it); an enrolled account is refused.\n"
	    "enroll ends the account's sessions (it signs in again).\n"
	    "disable removes the authenticator and its recovery codes.\n"
	    "status prints JSON: enrolled, recovery_codes_left.\n"
	    "exit: 0 ok, 1 failure, 2 invalid input, 3 not found, 4 exists\n",
	    OIDC_TOTP_RECOVERY_CODES);
	return rc;
}

static int
find_user(struct oidcctl *o, const char *name, struct oidc_user_row *u,
    struct oidc_error *err)
{
	int	 rc;

	rc = oidc_db_user_get_by_name(o->db, o->a, (struct oidc_str){ name,
	    strlen(name) }, u, err);
	if (rc == 0)
		fprintf(stderr, "oidcctl: user %s not found\n", name);
	if (rc == -1)
		oidcctl_fail("user totp", err);
	return rc;
}

/* The secret sealed, the codes and their hashes; then one transaction. */
static int
enrol_write(struct oidcctl *o, const struct oidc_user_row *u,
    char (*codes)[OIDC_TOTP_RECOVERY_LEN + 1], const char **uri,
    struct oidc_error *err)
{
	unsigned char	 secret[OIDC_TOTP_SECRET_LEN];
	unsigned char	 h[OIDC_TOTP_RECOVERY_CODES][OIDC_HASH_LEN];
	unsigned char	*sealed;
	size_t		 len, i;
	int		 rc = -1;

	if (oidc_random_bytes(secret, sizeof(secret), err) == -1 ||
	    oidc_totp_secret_seal(o->a, o->kek, u->user_id, secret,
	    sizeof(secret), &sealed, &len, err) == -1)
		goto out;
	for (i = 0; i < OIDC_TOTP_RECOVERY_CODES; i++)
		if (oidc_totp_recovery_new(codes[i], err) == -1 ||
		    oidc_totp_recovery_hash(u->user_id, codes[i], h[i],
		    err) == -1)
			goto out;
	if ((*uri = oidc_totp_uri(o->a, o->cfg.issuer, oidc_arena_strndup(o->a,
	    u->username.p, u->username.len), secret, sizeof(secret))) == NULL) {
		oidc_fail(err, OIDC_E_NOMEM, NULL, "arena");
		goto out;
	}
	if (oidc_db_begin(o->db, err) == -1 ||
	    oidc_db_totp_enrol(o->db, u->user_id, sealed, len, 0,
	    (const unsigned char (*)[OIDC_HASH_LEN])h,
	    OIDC_TOTP_RECOVERY_CODES, err) == -1 ||
	    oidc_db_totp_end_sessions(o->db, u->user_id, err) == -1 ||
	    oidc_db_commit(o->db, err) == -1)
		goto out;
	rc = 0;
out:
	oidc_wipe(secret, sizeof(secret));
	return rc;
}

static int
cmd_enroll(struct oidcctl *o, const char *name)
{
	struct oidc_error	 err = { 0 };
	struct oidc_user_row	 u;
	struct oidc_totp_row	 t;
	char			 codes[OIDC_TOTP_RECOVERY_CODES]
				    [OIDC_TOTP_RECOVERY_LEN + 1];
	const char		*uri;
	size_t			 i;
	int			 rc;

	if ((rc = find_user(o, name, &u, &err)) != 1)
		return rc == 0 ? OIDCCTL_NOT_FOUND : OIDCCTL_FAIL;
	if ((rc = oidc_db_totp_get(o->db, o->a, u.user_id, &t, &err)) == 1) {
		fprintf(stderr, "oidcctl: user %s already has TOTP (disable "
		    "it first)\n", name);
		return OIDCCTL_CONFLICT;
	}
	if (rc == -1 || enrol_write(o, &u, codes, &uri, &err) == -1) {
		oidc_db_rollback(o->db);
		oidcctl_fail("user totp enroll", &err);
		return OIDCCTL_FAIL;
	}
	printf("%s\n", uri);
	for (i = 0; i < OIDC_TOTP_RECOVERY_CODES; i++)
		printf("%.5s-%s\n", codes[i], codes[i] + 5);
	oidc_wipe(codes, sizeof(codes));
	oidcctl_audit("user.totp_enrolled", "user", name, NULL, NULL);
	return OIDCCTL_OK;
}

static int
cmd_disable(struct oidcctl *o, const char *name)
{
	struct oidc_error	 err = { 0 };
	struct oidc_user_row	 u;
	int			 rc;

	if ((rc = find_user(o, name, &u, &err)) != 1)
		return rc == 0 ? OIDCCTL_NOT_FOUND : OIDCCTL_FAIL;
	if ((rc = oidc_db_totp_delete(o->db, u.user_id, &err)) == -1) {
		oidcctl_fail("user totp disable", &err);
		return OIDCCTL_FAIL;
	}
	if (rc == 0) {
		fprintf(stderr, "oidcctl: user %s has no TOTP\n", name);
		return OIDCCTL_NOT_FOUND;
	}
	printf("%s: TOTP disabled\n", name);
	oidcctl_audit("user.totp_disabled", "user", name, NULL, NULL);
	return OIDCCTL_OK;
}

static int
cmd_status(struct oidcctl *o, const char *name)
{
	struct oidc_error	 err = { 0 };
	struct oidc_user_row	 u;
	struct oidc_totp_row	 t;
	struct oidc_json	*v;
	int64_t			 left = 0;
	int			 rc;

	if ((rc = find_user(o, name, &u, &err)) != 1)
		return rc == 0 ? OIDCCTL_NOT_FOUND : OIDCCTL_FAIL;
	if ((rc = oidc_db_totp_get(o->db, o->a, u.user_id, &t, &err)) == -1 ||
	    oidc_db_recovery_count(o->db, u.user_id, &left, &err) == -1 ||
	    (v = oidc_json_new_object(o->a)) == NULL ||
	    oidc_json_set_cstr(v, "username", name, &err) == -1 ||
	    oidc_json_set_bool(v, "enrolled", rc == 1, &err) == -1 ||
	    oidc_json_set_i64(v, "recovery_codes_left", left, &err) == -1 ||
	    oidcctl_print_json(o->a, v) == -1) {
		oidcctl_fail("user totp status", &err);
		return OIDCCTL_FAIL;
	}
	return OIDCCTL_OK;
}

/* argv[0] "totp", argv[1] the command, argv[2] the name. */
int
oidcctl_user_totp(int argc, char *argv[])
{
	struct oidc_error	 err = { 0 };
	struct oidcctl		 o;
	unsigned char		 kek[OIDC_SEAL_KEY_LEN];
	int			 rc = OIDCCTL_FAIL;

	if (argc < 2 || oidcctl_wants_help(argc, argv))
		return usage(argc < 2 ? OIDCCTL_USAGE : OIDCCTL_OK);
	if (argc != 3 || (strcmp(argv[1], "enroll") != 0 &&
	    strcmp(argv[1], "disable") != 0 && strcmp(argv[1], "status") != 0))
		return usage(OIDCCTL_USAGE);
	memset(kek, 0, sizeof(kek));
	if (oidcctl_open(&o) == -1)
		goto out;
	if (strcmp(argv[1], "enroll") == 0) {
		if (o.cfg.key_encryption_key == NULL) {
			fprintf(stderr, "oidcctl: user totp enroll: needs "
			    "key_encryption_key in oidc.conf\n");
			goto out;
		}
		if (oidc_seal_key_load(o.cfg.key_encryption_key, kek,
		    &err) == -1) {
			fprintf(stderr, "oidcctl: user totp: %s\n", err.detail);
			goto out;
		}
		o.kek = kek;
		rc = cmd_enroll(&o, argv[2]);
	} else if (strcmp(argv[1], "disable") == 0)
		rc = cmd_disable(&o, argv[2]);
	else
		rc = cmd_status(&o, argv[2]);
out:
	oidc_wipe(kek, sizeof(kek));
	oidcctl_close(&o);
	return rc;
}
