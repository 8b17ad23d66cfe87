/*
 * test_metrics.c: the counter pages and the exposition of
 * common/base/metrics.c (issue 20 item 12): bucket boundaries, sums per
 * endpoint, cumulative buckets with +Inf equal to _count, label
 * escaping, invalid pages skipped, and the page files: created, locked,
 * read while their process holds them, skipped and removed once not.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oidc/arena.h"
#include "oidc/buf.h"
#include "oidc/metrics.h"

#include "tap.h"

static struct oidc_metrics_page	 pages[4];

static void
page_init(struct oidc_metrics_page *p, const char *ep)
{
	memset(p, 0, sizeof(*p));
	p->magic = OIDC_METRICS_MAGIC;
	p->version = OIDC_METRICS_VERSION;
	p->size = sizeof(*p);
	(void)snprintf(p->endpoint, sizeof(p->endpoint), "%s", ep);
}

static bool
has_line(const char *text, const char *line)
{
	const char	*p = text;
	size_t		 len = strlen(line);

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[len] == '\n')
			return true;
		p++;
	}
	return false;
}

static void
test_render(void)
{
	struct oidc_arena	*a = oidc_arena_new(4096, 1 << 20);
	struct oidc_error	 err = { 0 };
	struct oidc_buf		 b;
	const char		*t;

	page_init(&pages[0], "token");
	page_init(&pages[1], "token");
	page_init(&pages[2], "userinfo");
	page_init(&pages[3], "to\"ken");	/* not a valid name */
	pages[0].status[200 - 100] = 3;
	pages[1].status[200 - 100] = 2;
	pages[1].status[OIDC_METRICS_NSTATUS - 1] = 1;
	pages[2].status[401 - 100] = 7;
	pages[3].status[200 - 100] = 100;
	pages[0].latency[0] = 2;	/* <= 1 ms */
	pages[1].latency[3] = 1;	/* <= 10 ms */
	pages[1].latency[OIDC_METRICS_NBUCKETS] = 3;	/* > 10 s */
	pages[0].latency_sum_us = 1500;
	pages[1].latency_sum_us = 2500000;
	pages[0].counter[OIDC_METRIC_LOGIN_FAILED] = 2;
	pages[2].counter[OIDC_METRIC_LOGIN_FAILED] = 1;
	pages[1].counter[OIDC_METRIC_TOKEN_REFRESH_TOKEN] = 4;
	pages[0].counter[OIDC_METRIC_DB_RETRY] = 1;
	pages[3].counter[OIDC_METRIC_DB_RETRY] = 50;
	oidc_buf_init(&b, a, 1 << 20);
	ok(oidc_metrics_render(&b, pages, 4, &err) == 0, "render");
	t = oidc_buf_str(&b).p;
	ok(has_line(t, "# TYPE oidc_requests_total counter"), "TYPE line");
	ok(has_line(t, "oidc_requests_total{endpoint=\"token\",code=\"200\"} 5"),
	    "requests summed over the pages of one endpoint");
	ok(has_line(t, "oidc_requests_total{endpoint=\"token\",code=\"other\"}"
	    " 1"), "a status outside 100..599 is code=\"other\"");
	ok(has_line(t, "oidc_requests_total{endpoint=\"userinfo\",code=\"401\"}"
	    " 7"), "another endpoint on its own");
	ok(strstr(t, "code=\"404\"") == NULL, "zero counts are left out");
	ok(strstr(t, "to\"ken") == NULL && strstr(t, "} 100\n") == NULL,
	    "a page with an invalid endpoint name is skipped");
	ok(has_line(t, "# TYPE oidc_request_duration_seconds histogram"),
	    "histogram TYPE");
	ok(has_line(t, "oidc_request_duration_seconds_bucket{endpoint=\"token\","
	    "le=\"0.001\"} 2"), "first bucket");
	ok(has_line(t, "oidc_request_duration_seconds_bucket{endpoint=\"token\","
	    "le=\"0.005\"} 2"), "cumulative: an empty bucket repeats");
	ok(has_line(t, "oidc_request_duration_seconds_bucket{endpoint=\"token\","
	    "le=\"0.01\"} 3"), "cumulative: 2 + 1");
	ok(has_line(t, "oidc_request_duration_seconds_bucket{endpoint=\"token\","
	    "le=\"10\"} 3"), "last finite bucket");
	ok(has_line(t, "oidc_request_duration_seconds_bucket{endpoint=\"token\","
	    "le=\"+Inf\"} 6") && has_line(t, "oidc_request_duration_seconds_"
	    "count{endpoint=\"token\"} 6"), "+Inf bucket == _count");
	ok(has_line(t, "oidc_request_duration_seconds_sum{endpoint=\"token\"} "
	    "2.501500"), "_sum in seconds");
	ok(has_line(t, "oidc_logins_total{result=\"failed\"} 3") &&
	    has_line(t, "oidc_logins_total{result=\"ok\"} 0"),
	    "logins summed over every endpoint, zeros shown");
	ok(has_line(t, "oidc_tokens_issued_total{grant=\"refresh_token\"} 4"),
	    "tokens by grant");
	ok(has_line(t, "oidc_db_retries_total 1"), "retries (invalid page "
	    "not counted)");
	ok(has_line(t, "oidc_workers{endpoint=\"token\"} 2") &&
	    has_line(t, "oidc_workers{endpoint=\"userinfo\"} 1"), "workers");
	oidc_arena_free(a);
}

static void
test_label(void)
{
	struct oidc_arena	*a = oidc_arena_new(4096, 1 << 20);
	struct oidc_error	 err = { 0 };
	struct oidc_buf		 b;
	const char		 v[] = "a\\b\"c\nd";

	oidc_buf_init(&b, a, 1024);
	ok(oidc_metrics_label(&b, v, sizeof(v) - 1, &err) == 0, "label");
	is_str(oidc_buf_str(&b).p, "a\\\\b\\\"c\\nd", "label escaping: "
	    "backslash, double quote, newline");
	oidc_arena_free(a);
}

static void
test_request_buckets(void)
{
	const struct oidc_metrics_page	*p = oidc_metrics_self();

	oidc_metrics_request(200, 1000);
	oidc_metrics_request(200, 1001);
	oidc_metrics_request(700, 20000000);
	oidc_metrics_inc(OIDC_METRIC_LOGIN_OK);
	oidc_metrics_inc(OIDC_METRIC__MAX);	/* ignored */
	is_int((long long)p->latency[0], 1, "1000 us: le=0.001");
	is_int((long long)p->latency[1], 1, "1001 us: le=0.0025");
	is_int((long long)p->latency[OIDC_METRICS_NBUCKETS], 1, "20 s: +Inf");
	is_int((long long)p->status[100], 2, "status 200");
	is_int((long long)p->status[OIDC_METRICS_NSTATUS - 1], 1,
	    "status 700: other");
	is_int((long long)p->latency_sum_us, 20002001, "sum in us");
	is_int((long long)p->counter[OIDC_METRIC_LOGIN_OK], 1, "counter");
}

static void
test_files(void)
{
	struct oidc_metrics_page	 got[4];
	struct oidc_error		 err = { 0 };
	char				 dir[] = "/tmp/test_metrics.XXXXXX";
	char				 stale[256], mine[256];
	size_t				 n, skipped;
	int				 fd;

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	(void)snprintf(stale, sizeof(stale), "%s/jwks.1.metrics", dir);
	fd = open(stale, O_WRONLY | O_CREAT, 0600);
	page_init(&got[0], "jwks");
	ok(fd != -1 && write(fd, &got[0], sizeof(got[0])) ==
	    (ssize_t)sizeof(got[0]), "a valid page nobody holds");
	if (fd != -1)
		close(fd);
	ok(oidc_metrics_read_dir(dir, got, 4, &n, &skipped, &err) == 0 &&
	    n == 0 && skipped == 1, "read_dir: an unheld page is skipped");
	ok(oidc_metrics_open(dir, "token", &err) == 0, "open: %s",
	    err.detail);
	ok(access(stale, F_OK) == -1, "open removed the unheld page");
	(void)snprintf(mine, sizeof(mine), "%s/token.%ld.metrics", dir,
	    (long)getpid());
	ok(access(mine, F_OK) == 0, "open created <endpoint>.<pid>.metrics");
	is_str(oidc_metrics_dir(), dir, "oidc_metrics_dir");
	oidc_metrics_request(302, 50);
	oidc_metrics_inc(OIDC_METRIC_TOKEN_IMPLICIT);
	ok(oidc_metrics_read_dir(dir, got, 4, &n, &skipped, &err) == 0 &&
	    n == 1 && skipped == 0, "read_dir: our own held page is read");
	ok(n == 1 && strcmp(got[0].endpoint, "token") == 0 &&
	    got[0].status[302 - 100] == 1 && got[0].latency[0] == 1 &&
	    got[0].counter[OIDC_METRIC_TOKEN_IMPLICIT] == 1 &&
	    got[0].pid == (uint32_t)getpid(), "the page holds the counts");
	ok(oidc_metrics_read_dir(dir, got, 0, &n, &skipped, &err) == 0 &&
	    n == 0 && skipped == 1, "over max: skipped");
	ok(oidc_metrics_open("/nonexistent/dir", "token", &err) == -1 &&
	    strstr(err.detail, "/nonexistent/dir") != NULL,
	    "a missing directory is an error naming it");
	ok(oidc_metrics_open(dir, "Tok\"en", &err) == -1, "a bad endpoint "
	    "name is refused");
	ok(oidc_metrics_read_dir("/nonexistent/dir", got, 4, &n, &skipped,
	    &err) == -1, "read_dir: a missing directory is an error");
	(void)unlink(mine);
	(void)rmdir(dir);
}

int
main(void)
{
	test_render();
	test_label();
	test_request_buckets();
	test_files();
	return done_testing();
}
