/*
 * oidcctl.c: the admin command: option dispatch, shared helpers, migrate.
 *
 * Exit codes (stable, documented in --help): 0 ok, 1 failure, 2 usage or
 * invalid input, 3 not found, 4 conflict (already exists).  Output meant
 * for scripts is JSON on stdout; diagnostics are one line on stderr.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oidc/arena.h"
#include "oidc/audit.h"
#include "oidc/config.h"
#include "oidc/db.h"
#include "oidc/log.h"
#include "oidcctl.h"
#include "oidcctl_int.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: oidcctl COMMAND [ARGS]\n"
	    "       oidcctl --version\n\n"
	    "Administer an oidc-fcgi provider.  The configuration file comes\n"
	    "from OIDC_CONFIG (default /etc/oidc-fcgi/oidc.conf when it exists, else\n"
	    "./var/oidc.conf, the `make run` stack).\n\n"
	    "commands:\n"
	    "  migrate                     apply sql/migrations (OIDC_SQL_DIR)\n"
	    "  db check                    prepare every SQL statement, compare "
	    "its\n"
	    "                              parameter and column counts\n"
	    "  purge [--batch N]           delete expired codes, tokens, "
	    "sessions...\n"
	    "  client create|list|show|update|delete|rotate-secret|approve\n"
	    "  user create|set-claims|set-password|disable|enable|list|show|"
	    "delete\n"
	    "  key generate|rotate|import|retire|list\n"
	    "                              signing keys in the database\n"
	    "  kek create [--group G] FILE a new key-encryption key file\n"
	    "  resource create|list|delete protected resources (RFC 8707)\n"
	    "  jose keygen|sign|verify     JWS and JWK tools\n"
	    "  backchannel deliver [--loop]\n"
	    "                              send queued back-channel logout "
	    "tokens\n\n"
	    "`oidcctl COMMAND --help` describes each command.\n\n"
	    "exit status: 0 ok, 1 failure, 2 usage or invalid input,\n"
	    "             3 not found, 4 conflict (already exists)\n");
}

char *
oidcctl_read_stdin(size_t max, size_t *len)
{
	char	*buf;
	size_t	 n = 0;
	ssize_t	 r;

	if ((buf = malloc(max + 1)) == NULL)
		return NULL;
	for (;;) {
		r = read(STDIN_FILENO, buf + n, max + 1 - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			free(buf);
			errno = EFBIG;
			return NULL;
		}
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

int
oidcctl_open(struct oidcctl *o)
{
	struct oidc_error	 err = { 0 };
	const char		*path = oidc_config_default_path();

	memset(o, 0, sizeof(*o));
	if ((o->a = oidc_arena_new(16384, 64 << 20)) == NULL) {
		fprintf(stderr, "oidcctl: out of memory\n");
		return -1;
	}
	if (oidc_config_load(o->a, path, &o->cfg, &err) == -1) {
		fprintf(stderr, "oidcctl: configuration error: %s\n",
		    err.detail);
		return -1;
	}
	/*
	 * Audit lines go where the workers' log goes: syslog, or an existing
	 * log_file (not created here: oidcctl may run as another user than
	 * the workers); else standard error.
	 */
	oidc_log_setup("oidcctl", o->cfg.log_level);
	if (o->cfg.log == OIDC_LOG_SINK_SYSLOG)
		oidc_log_to_syslog();
	else if (o->cfg.log_file != NULL &&
	    access(o->cfg.log_file, F_OK) == 0 &&
	    oidc_log_to_file(o->cfg.log_file, false, &err) == -1) {
		fprintf(stderr, "oidcctl: %s\n", err.detail);
		oidc_error_clear(&err);
	}
	if ((o->db = oidc_db_new(o->cfg.database, o->cfg.db_timeout)) ==
	    NULL || oidc_db_connect(o->db, &err) == -1) {
		fprintf(stderr, "oidcctl: database: %s\n",
		    err.detail[0] ? err.detail : "out of memory");
		return -1;
	}
	return 0;
}

void
oidcctl_close(struct oidcctl *o)
{
	oidc_db_free(o->db);
	oidc_arena_free(o->a);
}

void
oidcctl_fail(const char *what, const struct oidc_error *err)
{
	fprintf(stderr, "oidcctl: %s: %s\n", what,
	    err->public_desc != NULL ? err->public_desc : err->detail);
}

void
oidcctl_audit(const char *event, const char *id_key, const char *id,
    const char *key2, const char *v2)
{
	struct oidc_audit_kv	 kv[3];
	const char		*user = getenv("SUDO_USER");
	char			 uid[32];
	size_t			 n = 0;

	if (user == NULL) {
		(void)snprintf(uid, sizeof(uid), "uid:%ld", (long)getuid());
		user = uid;
	}

	kv[n++] = (struct oidc_audit_kv){ id_key, oidc_audit_cstr(id) };
	if (key2 != NULL)
		kv[n++] = (struct oidc_audit_kv){ key2, oidc_audit_cstr(v2) };
	/* Who ran it: the sudo user when there is one, else the uid. */
	kv[n++] = (struct oidc_audit_kv){ "by", oidc_audit_cstr(user) };
	oidc_audit(event, kv, n);
}

bool
oidcctl_wants_help(int argc, char *argv[])
{
	int	 i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0)
			return true;
	return false;
}

static void
applied(const char *name)
{
	printf("applied %s\n", name);
}

int
oidcctl_migrate(int argc, char *argv[])
{
	struct oidcctl		 o;
	struct oidc_error	 err = { 0 };
	const char		*dir = getenv("OIDC_SQL_DIR");
	int			 rc = OIDCCTL_FAIL;

	if (oidcctl_wants_help(argc, argv) || argc != 1) {
		printf("usage: oidcctl migrate\n\n"
		    "Apply every sql/migrations/NNNN_*.sql file not yet recorded "
		    "in\nthe schema_migration table, in order, each in one "
		    "transaction.\nThe directory is $OIDC_SQL_DIR, else "
		    "./sql/migrations.\nRunning it again is a no-op.\n");
		return argc == 1 ? OIDCCTL_OK : OIDCCTL_USAGE;
	}
	/* The checkout's migrations, else the installed ones (make install). */
	if (dir == NULL || *dir == '\0')
		dir = access("./sql/migrations", R_OK) == 0 ? "./sql/migrations" :
		    OIDC_PREFIX "/share/oidc-fcgi/sql/migrations";
	if (oidcctl_open(&o) == -1)
		goto out;
	if (oidc_db_migrate(o.db, dir, applied, &err) == -1) {
		oidcctl_fail("migrate", &err);
		goto out;
	}
	rc = OIDCCTL_OK;
out:
	oidcctl_close(&o);
	return rc;
}

static int
purge_cmd(int argc, char *argv[])
{
	struct oidcctl		 o;
	struct oidc_error	 err = { 0 };
	uint64_t		 batch = 10000;
	int64_t			 deleted;
	int			 rc = OIDCCTL_FAIL;

	if (oidcctl_wants_help(argc, argv) || (argc != 1 && argc != 3) ||
	    (argc == 3 && (strcmp(argv[1], "--batch") != 0 ||
	    oidc_parse_u64(argv[2], strlen(argv[2]), 1, 1000000, &batch) ==
	    -1))) {
		printf("usage: oidcctl purge [--batch N]\n\n"
		    "Delete expired authorization codes, tokens, sessions, used\n"
		    "nonces and assertion jti values, and login failures older "
		    "than\nlogin_window, in batches of N rows per table (default "
		    "10000)\nuntil none is left.  Prints {\"deleted\": N}.  "
		    "Run it from cron\nor deploy/systemd/oidc-purge.timer.\n");
		return oidcctl_wants_help(argc, argv) ? OIDCCTL_OK :
		    OIDCCTL_USAGE;
	}
	if (oidcctl_open(&o) == -1)
		goto out;
	if (oidc_db_purge(o.db, (int64_t)batch, o.cfg.login_window, &deleted,
	    &err) == -1) {
		oidcctl_fail("purge", &err);
		goto out;
	}
	printf("{\"deleted\":%lld}\n", (long long)deleted);
	rc = OIDCCTL_OK;
out:
	oidcctl_close(&o);
	return rc;
}

static void
db_mismatch(const char *name, const char *what, int declared, int described,
    void *arg)
{
	(void)arg;
	printf("%s: %d %s declared, the server describes %d\n", name,
	    declared, what, described);
}

static int
db_cmd(int argc, char *argv[])
{
	struct oidcctl		 o;
	struct oidc_error	 err = { 0 };
	struct oidc_str		 schema;
	int			 n, rc = OIDCCTL_FAIL;

	if (argc != 2 || strcmp(argv[1], "check") != 0) {
		printf("usage: oidcctl db check\n\nPrepare every SQL statement "
		    "the provider can run against the\ncurrent schema "
		    "(catches schema drift) and compare each one's\nparameter "
		    "and column counts, as the server describes them, with\n"
		    "those common/db/stmt.c declares: one line per "
		    "difference.\nFirst it prints the version and the newest "
		    "migration applied.\nExit 0 if all prepare and agree.\n");
		return oidcctl_wants_help(argc, argv) ? OIDCCTL_OK :
		    OIDCCTL_USAGE;
	}
	if (oidcctl_open(&o) == -1)
		goto out;
	if (oidc_db_schema_latest(o.db, o.a, &schema, &err) == -1) {
		oidcctl_fail("db check", &err);
		goto out;
	}
	printf("oidc-fcgi %s, schema %s\n", OIDC_VERSION,
	    schema.p != NULL ? schema.p : "(no migration applied)");
	if ((n = oidc_db_check(o.db, db_mismatch, NULL, &err)) == -1) {
		oidcctl_fail("db check", &err);
		goto out;
	}
	if (n > 0) {
		fprintf(stderr, "oidcctl: db check: %d difference%s\n", n,
		    n == 1 ? "" : "s");
		goto out;
	}
	printf("all statements prepare and match their declarations\n");
	rc = OIDCCTL_OK;
out:
	oidcctl_close(&o);
	return rc;
}

int
main(int argc, char *argv[])
{
	if (argc < 2) {
		usage(stderr);
		return OIDCCTL_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return OIDCCTL_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("oidc-fcgi oidcctl %s\n", OIDC_VERSION);
		return OIDCCTL_OK;
	}
	if (strcmp(argv[1], "migrate") == 0)
		return oidcctl_migrate(argc - 1, argv + 1);
	if (strcmp(argv[1], "db") == 0)
		return db_cmd(argc - 1, argv + 1);
	if (strcmp(argv[1], "purge") == 0)
		return purge_cmd(argc - 1, argv + 1);
	if (strcmp(argv[1], "client") == 0)
		return oidcctl_client(argc - 1, argv + 1);
	if (strcmp(argv[1], "user") == 0)
		return oidcctl_user(argc - 1, argv + 1);
	if (strcmp(argv[1], "jose") == 0)
		return oidcctl_jose(argc - 1, argv + 1);
	if (strcmp(argv[1], "key") == 0)
		return oidcctl_key(argc - 1, argv + 1);
	if (strcmp(argv[1], "kek") == 0)
		return oidcctl_kek(argc - 1, argv + 1);
	if (strcmp(argv[1], "backchannel") == 0)
		return oidcctl_backchannel(argc - 1, argv + 1);
	if (strcmp(argv[1], "resource") == 0)
		return oidcctl_resource(argc - 1, argv + 1);
	fprintf(stderr, "oidcctl: unknown command %s (try --help)\n", argv[1]);
	return OIDCCTL_USAGE;
}
