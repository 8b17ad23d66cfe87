/*
 * metrics.h: per-worker counters in a shared file, and their Prometheus
 * text exposition (issue 20 item 12).
 *
 * Each worker maps one small file of fixed layout (struct
 * oidc_metrics_page), `<dir>/<endpoint>.<pid>.metrics`, created at
 * start-up before any sandbox, and counts into it with plain relaxed
 * atomic stores: no system call and no query per request.  The worker
 * is the only writer of its page, so an increment is a load and a store
 * (no locked instruction); a reader may see a page a few increments old,
 * never a torn 64-bit value.  While its worker lives the file holds a
 * write lock (fcntl F_OFD_SETLK), released by the kernel when the
 * process dies, however it dies: a reader skips a file nobody locks, and
 * the next worker to start removes it.
 *
 * metrics.fcgi (oidc/scrape.h) reads every page of the directory,
 * sums them per endpoint and renders Prometheus text exposition format
 * 0.0.4.  A worker that exits takes its counts with it: the sums can go
 * down, which Prometheus's rate() treats as a counter reset.
 *
 * Until oidc_metrics_open() succeeds (and in oidcctl and the tests) the
 * counters go to a private page that nobody reads, so callers never
 * check whether metrics are on.
 *
 * Limits: OIDC_METRICS_MAX_PAGES files read per scrape (more are left
 * out and counted in oidc_metrics_pages_skipped), endpoint names of at
 * most OIDC_METRICS_NAME_LEN - 1 bytes of [a-z_]; status codes outside
 * 100..599 are counted as code="other".
 */
#ifndef OIDC_METRICS_H
#define OIDC_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "oidc/cdefs.h"
#include "oidc/error.h"

#define OIDC_METRICS_MAGIC	0x54454d4fU	/* "OMET" little-endian */
#define OIDC_METRICS_VERSION	2
#define OIDC_METRICS_NAME_LEN	32
#define OIDC_METRICS_NSTATUS	501	/* 100..599, and [500] = other */
#define OIDC_METRICS_MAX_PAGES	256
/* Distinct endpoints rendered per scrape (more are left out). */
#define OIDC_METRICS_MAX_ENDPOINTS	32

struct oidc_buf;

/* Counters without labels other than the one their name implies. */
enum oidc_metric {
	OIDC_METRIC_LOGIN_OK = 0,
	OIDC_METRIC_LOGIN_FAILED,
	OIDC_METRIC_LOGIN_THROTTLED,
	OIDC_METRIC_TOKEN_AUTHORIZATION_CODE,
	OIDC_METRIC_TOKEN_REFRESH_TOKEN,
	OIDC_METRIC_TOKEN_CLIENT_CREDENTIALS,
	OIDC_METRIC_TOKEN_IMPLICIT,
	OIDC_METRIC_DB_ERROR,		/* an error answer on a live link */
	OIDC_METRIC_DB_UNAVAILABLE,	/* connect failed, link lost, 503 */
	OIDC_METRIC_DB_RETRY,		/* a statement retried on a new link */
	OIDC_METRIC_TOKEN_DEVICE_CODE,	/* RFC 8628 */
	OIDC_METRIC__MAX
};

/*
 * Latency buckets, upper bounds in microseconds; one more cell counts
 * the rest (+Inf).
 */
#define OIDC_METRICS_BUCKETS_US { 1000, 2500, 5000, 10000, 25000, 50000, \
	100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000 }
#define OIDC_METRICS_NBUCKETS	13

struct oidc_metrics_page {
	uint32_t	 magic;
	uint32_t	 version;
	uint32_t	 size;		/* sizeof(struct oidc_metrics_page) */
	uint32_t	 pid;
	char		 endpoint[OIDC_METRICS_NAME_LEN];	/* NUL-ended */
	uint64_t	 counter[OIDC_METRIC__MAX];
	uint64_t	 status[OIDC_METRICS_NSTATUS];	/* [code - 100] */
	uint64_t	 latency[OIDC_METRICS_NBUCKETS + 1];	/* not cumulative */
	uint64_t	 latency_sum_us;
};

/*
 * Create this process's page in `dir` (an existing directory the worker
 * may write), lock it, map it and count into it from now on.  First
 * removes the files of `dir` that no live process locks (workers gone).
 * 0, or -1 with err (OIDC_E_IO naming the path): the caller logs it and
 * runs without metrics.  Call before the sandbox (it opens files).
 */
OIDC_MUST_CHECK int	oidc_metrics_open(const char *dir,
			    const char *endpoint, struct oidc_error *);

/* One more of `m`. */
void	oidc_metrics_inc(enum oidc_metric m);

/* One request answered with `status` after `us` microseconds. */
void	oidc_metrics_request(int status, uint64_t us);

/* This process's page (the private one before oidc_metrics_open()). */
const struct oidc_metrics_page	*oidc_metrics_self(void);

/* The directory oidc_metrics_open() succeeded in, or NULL. */
const char	*oidc_metrics_dir(void);

/*
 * Read the pages of live workers in `dir` into pages[0..max): files
 * named *.metrics that a process holds locked and whose header is
 * valid.  *n the pages read, *skipped the files left out (unlocked,
 * invalid, or over max).  0, or -1 with err (OIDC_E_IO: the directory
 * cannot be read).
 */
OIDC_MUST_CHECK int	oidc_metrics_read_dir(const char *dir,
			    struct oidc_metrics_page *pages, size_t max,
			    size_t *n, size_t *skipped, struct oidc_error *);

/* True when the page's header is ours and its endpoint name valid. */
bool	oidc_metrics_page_valid(const struct oidc_metrics_page *);

/*
 * Append the exposition of pages[0..n) to out: requests by endpoint and
 * code, the latency histogram by endpoint, logins, tokens, database
 * errors and retries, the live workers by endpoint.  Pages of the same
 * endpoint are summed; invalid pages are skipped.  0 or -1 (out full).
 */
OIDC_MUST_CHECK int	oidc_metrics_render(struct oidc_buf *out,
			    const struct oidc_metrics_page *pages, size_t n,
			    struct oidc_error *);

/*
 * A label value as the exposition format escapes it (backslash, double
 * quote and newline as \\, \" and \n), appended to out.  0 or -1.
 */
OIDC_MUST_CHECK int	oidc_metrics_label(struct oidc_buf *out,
			    const char *v, size_t len, struct oidc_error *);

#endif /* OIDC_METRICS_H */
