/*
 * test_stmt.c: the statement table's declarations against its SQL text,
 * and the parameter binder (common/db/stmt.c, db_int.h).  No database:
 * `oidcctl db check` compares the declarations with the server.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "../../../common/db/db_int.h"

#include "tap.h"

/* The highest $N of sql; *seen[k] set for each $k (k <= DB_MAX_PARAMS). */
static int
max_param(const char *sql, bool *seen)
{
	const char	*p;
	long		 k;
	int		 max = 0;

	for (p = sql; (p = strchr(p, '$')) != NULL; ) {
		p++;
		if (!isdigit((unsigned char)*p))
			continue;
		k = strtol(p, NULL, 10);
		while (isdigit((unsigned char)*p))
			p++;
		if (k > max)
			max = (int)k;
		if (k >= 1 && k <= DB_MAX_PARAMS)
			seen[k] = true;
	}
	return max;
}

static void
test_table(void)
{
	const struct oidc_stmt	*s;
	bool			 seen[DB_MAX_PARAMS + 1];
	int			 i, j, k, bad_n = 0, bad_gap = 0, bad_col = 0;
	int			 dup = 0;

	for (i = 0; i < OIDC_STMT__MAX; i++) {
		s = &oidc_stmts[i];
		if (s->name == NULL || s->sql == NULL) {
			ok(0, "statement %d has a name and SQL", i);
			continue;
		}
		memset(seen, 0, sizeof(seen));
		if (max_param(s->sql, seen) != s->nparams ||
		    s->nparams > DB_MAX_PARAMS) {
			diag("%s: highest $N %d, nparams %d", s->name,
			    max_param(s->sql, seen), s->nparams);
			bad_n++;
		}
		for (k = 1; k <= s->nparams && k <= DB_MAX_PARAMS; k++)
			if (!seen[k]) {
				diag("%s: $%d unused", s->name, k);
				bad_gap++;
			}
		/* A result needs a SELECT or RETURNING; a query has one. */
		if ((s->ncols > 0 && strstr(s->sql, "SELECT ") == NULL &&
		    strstr(s->sql, "RETURNING ") == NULL) ||
		    (s->ncols == 0 && strncmp(s->sql, "SELECT ", 7) == 0) ||
		    s->ncols < 0) {
			diag("%s: ncols %d", s->name, s->ncols);
			bad_col++;
		}
		for (j = 0; j < i; j++)
			if (oidc_stmts[j].name != NULL &&
			    strcmp(oidc_stmts[j].name, s->name) == 0)
				dup++;
	}
	is_int(bad_n, 0, "every nparams is the highest $N of its SQL");
	is_int(bad_gap, 0, "every $1..$nparams appears in its SQL");
	is_int(bad_col, 0, "ncols: 0 for commands, > 0 for queries");
	is_int(dup, 0, "statement names are unique");
	is_int(oidc_stmts[OIDC_STMT_CODE_REDEEM_SEALED].nparams, DB_MAX_PARAMS,
	    "DB_MAX_PARAMS is the largest nparams (code_redeem_sealed)");
	/* The columns that readers share between statements. */
	is_int(oidc_stmts[OIDC_STMT_CLIENT_SESSION_GET].ncols,
	    oidc_stmts[OIDC_STMT_SESSION_GET_CONSENT].ncols +
	    oidc_stmts[OIDC_STMT_CLIENT_GET].ncols,
	    "client_session_get: session_get_consent's, then client_get's");
}

struct seen {
	int		 n;
	const char	*what;
	int		 declared, described;
};

static void
record(const char *name, const char *what, int declared, int described,
    void *arg)
{
	struct seen	*s = arg;

	(void)name;
	s->n++;
	s->what = what;
	s->declared = declared;
	s->described = described;
}

static void
test_compare(void)
{
	const struct oidc_stmt	*s = &oidc_stmts[OIDC_STMT_SESSION_GET];
	struct seen		 r = { 0 };

	is_int(oidc_stmt_compare(s, s->nparams, s->ncols, record, &r), 0,
	    "compare: agreeing description");
	is_int(r.n, 0, "compare: nothing reported");
	is_int(oidc_stmt_compare(s, s->nparams, s->ncols + 1, record, &r), 1,
	    "compare: one column more on the server");
	ok(r.n == 1 && strcmp(r.what, "columns") == 0 &&
	    r.declared == S__N && r.described == S__N + 1,
	    "compare: reports columns, declared and described");
	memset(&r, 0, sizeof(r));
	is_int(oidc_stmt_compare(s, s->nparams + 1, s->ncols - 1, record, &r),
	    2, "compare: parameters and columns both differ");
	is_int(r.n, 2, "compare: two reports");
}

static void
test_binder(void)
{
	struct db_params	 p = { .n = 0 };
	struct oidc_error	 err = { 0 };
	struct oidc_db		*db;
	PGresult		*res = NULL;
	unsigned char		 h[4] = { 1, 2, 3, 4 };
	int			 i;

	db_p_i64(&p, -42);
	db_p_i64_or_null(&p, 0);
	db_p_bin_if(&p, false, h, sizeof(h));
	db_p_bin(&p, h, sizeof(h));
	db_p_bool(&p, true);
	is_int(p.n, 5, "binder: five bound");
	is_str(p.v[0], "-42", "binder: i64 as decimal text");
	ok(p.v[1] == NULL && p.v[2] == NULL, "binder: NULLs");
	ok(p.fmt[3] == DB_BIN && p.len[3] == 4 &&
	    p.v[3] == (const char *)h, "binder: bytea is binary");
	is_str(p.v[4], "true", "binder: bool");
	for (i = p.n; i < DB_MAX_PARAMS; i++)
		db_p_cstr(&p, "x");
	is_int(p.n, DB_MAX_PARAMS, "binder: full");
	db_p_cstr(&p, "one too many");
	db_p_i64(&p, 1);
	is_int(p.n, DB_PARAMS_OVERFLOW, "binder: overflow marks the vector");

	/* A count that is not nparams is refused before any connection. */
	if ((db = oidc_db_new("host=/nonexistent", 1)) == NULL) {
		ok(0, "oidc_db_new");
		return;
	}
	p.n = 0;
	db_p_cstr(&p, "a");
	ok(oidc_db_run(db, OIDC_STMT_CONSENT_GET, &p, &res, &err) == -1 &&
	    err.code == OIDC_E_INTERNAL && res == NULL,
	    "run: 1 parameter for consent_get's 2 refused");
	memset(&err, 0, sizeof(err));
	ok(oidc_db_run(db, OIDC_STMT_SESSION_GET, NULL, &res, &err) == -1 &&
	    err.code == OIDC_E_INTERNAL, "run: none for session_get's 1");
	memset(&err, 0, sizeof(err));
	for (i = 0; i < DB_MAX_PARAMS + 1; i++)
		db_p_cstr(&p, "x");
	ok(oidc_db_run(db, OIDC_STMT_CODE_REDEEM_SEALED, &p, &res, &err) ==
	    -1 && err.code == OIDC_E_INTERNAL, "run: overflow refused");
	oidc_db_free(db);
}

int
main(void)
{
	test_table();
	test_compare();
	test_binder();
	return done_testing();
}
