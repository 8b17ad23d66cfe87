/*
 * test_db.c: the failover rules of common/db/db.c that need no server:
 * which failures may run a statement again (oidc_db_fault), the
 * reconnect backoff, and the bounded wait for a primary against a host
 * that never answers (a socket directory that does not exist): the
 * first request waits up to db_failover_wait, the next one fails fast.
 * The behaviour against real servers is tests/ha/run.sh's.
 */
#include <string.h>
#include <time.h>

#include "../../../common/db/db_int.h"

#include "tap.h"

static double
now_s(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
test_fault(void)
{
	/* Refused before running: safe to run again elsewhere. */
	is_int(oidc_db_fault("25006", true), DB_FAULT_NOT_RUN,
	    "25006 read-only transaction: not run");
	is_int(oidc_db_fault("57P03", true), DB_FAULT_NOT_RUN,
	    "57P03 cannot connect now: not run");
	/* Terminated or lost: may have run, never run again. */
	is_int(oidc_db_fault("57P01", true), DB_FAULT_LOST,
	    "57P01 admin shutdown: lost");
	is_int(oidc_db_fault("57P02", true), DB_FAULT_LOST,
	    "57P02 crash shutdown: lost");
	is_int(oidc_db_fault("08006", true), DB_FAULT_LOST,
	    "08006 connection failure: lost");
	is_int(oidc_db_fault(NULL, false), DB_FAULT_LOST,
	    "connection bad, no SQLSTATE: lost");
	is_int(oidc_db_fault("25006", false), DB_FAULT_LOST,
	    "a bad connection wins over 25006");
	/* Answers. */
	is_int(oidc_db_fault("23505", true), DB_FAULT_NONE,
	    "23505 unique violation: an answer");
	is_int(oidc_db_fault("57014", true), DB_FAULT_NONE,
	    "57014 statement timeout: an answer (no reconnect)");
	is_int(oidc_db_fault(NULL, true), DB_FAULT_NONE, "no SQLSTATE: none");
}

/*
 * Every statement retried after a lost connection as a read is a plain
 * SELECT: no INSERT, UPDATE, DELETE, lock or advisory lock in its text.
 */
static void
test_reads_only(void)
{
	static const char *const bad[] = { "INSERT", "UPDATE", "DELETE",
	    "advisory", "nextval", "FOR SHARE", "WITH" };
	const struct oidc_stmt	*st;
	size_t			 k;
	int			 i, n = 0, wrong = 0;

	for (i = 0; i < OIDC_STMT__MAX; i++) {
		if (!oidc_db_stmt_reads_only((enum oidc_stmt_id)i))
			continue;
		n++;
		st = &oidc_stmts[i];
		if (strncmp(st->sql, "SELECT ", 7) != 0) {
			diag("%s: not a SELECT", st->name);
			wrong++;
		}
		for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
			if (strstr(st->sql, bad[k]) != NULL) {
				diag("%s: contains %s", st->name, bad[k]);
				wrong++;
			}
	}
	ok(n >= 10 && wrong == 0, "the %d statements run again as reads "
	    "only read", n);
	ok(oidc_db_stmt_reads_only(OIDC_STMT_ACCESS_TOKEN_GET),
	    "access_token_get is a read");
	ok(!oidc_db_stmt_reads_only(OIDC_STMT_CODE_REDEEM_SEALED) &&
	    !oidc_db_stmt_reads_only(OIDC_STMT_REFRESH_ROTATE) &&
	    !oidc_db_stmt_reads_only(OIDC_STMT_LOGIN_LOCK) &&
	    !oidc_db_stmt_reads_only(OIDC_STMT_FETCH_SLOT_TAKE),
	    "writes and locks are not reads");
}

static void
test_backoff(void)
{
	int64_t	 d = 0, sum = 0;
	int	 i;

	is_int(oidc_db_backoff_ms(0), 50, "backoff starts at 50 ms");
	is_int(oidc_db_backoff_ms(50), 100, "backoff doubles");
	is_int(oidc_db_backoff_ms(800), 1000, "backoff capped at 1 s");
	is_int(oidc_db_backoff_ms(1000), 1000, "backoff stays at 1 s");
	for (i = 0; i < 20; i++)
		sum += (d = oidc_db_backoff_ms(d));
	ok(sum < 20 * 1000 + 1, "20 backoffs within 20 s");
}

static void
test_wait(void)
{
	struct oidc_db		*db;
	struct oidc_error	 err = { 0 };
	PGresult		*res = NULL;
	double			 t0, first, second;

	if ((db = oidc_db_new("host=/nonexistent/oidc-ha-test dbname=x",
	    1)) == NULL) {
		ok(0, "oidc_db_new");
		return;
	}
	oidc_db_set_failover(db, 2, 2, 5);
	oidc_db_request_start(db);
	t0 = now_s();
	ok(oidc_db_run(db, OIDC_STMT_DB_PING, NULL, &res, &err) == -1 &&
	    err.code == OIDC_E_DB_DOWN && res == NULL,
	    "no server: 503 (OIDC_E_DB_DOWN) after the failover wait");
	first = now_s() - t0;
	/* 50+100+200+400+800 ms of backoff before the 2 s are used up. */
	ok(first >= 1.4, "the first request waited for a primary (%.2fs)",
	    first);

	memset(&err, 0, sizeof(err));
	oidc_db_request_start(db);
	t0 = now_s();
	ok(oidc_db_begin(db, &err) == -1 && err.code == OIDC_E_DB_DOWN,
	    "no server: BEGIN fails with OIDC_E_DB_DOWN");
	second = now_s() - t0;
	ok(second < first, "after a wait that found no primary the next "
	    "request fails fast (%.2fs < %.2fs)", second, first);
	ok(!oidc_db_in_transaction(db), "a failed BEGIN leaves no "
	    "transaction");
	oidc_db_free(db);

	/* db_failover_wait = 0: never wait, one connect per request. */
	if ((db = oidc_db_new("host=/nonexistent/oidc-ha-test dbname=x",
	    1)) == NULL) {
		ok(0, "oidc_db_new");
		return;
	}
	oidc_db_set_failover(db, 2, 0, 5);
	memset(&err, 0, sizeof(err));
	t0 = now_s();
	ok(oidc_db_run(db, OIDC_STMT_DB_PING, NULL, &res, &err) == -1 &&
	    err.code == OIDC_E_DB_DOWN, "wait 0: 503");
	second = now_s() - t0;
	ok(second < 1.4, "wait 0: no backoff (%.2fs)", second);
	oidc_db_free(db);
}

int
main(void)
{
	test_fault();
	test_reads_only();
	test_backoff();
	test_wait();
	return done_testing();
}
