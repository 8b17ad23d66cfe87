/*
 * metrics.c: per-worker counter pages and their exposition (see
 * oidc/metrics.h).
 *
 * The page pointer is process-wide by design, like the log settings: set
 * once at start-up, then only counted into.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "oidc/buf.h"
#include "oidc/metrics.h"

#define SUFFIX		".metrics"
#define SUFFIX_LEN	(sizeof(SUFFIX) - 1)

static struct oidc_metrics_page	 private_page;
static const struct oidc_metrics_page	 private_zero;	/* the file's start */
static struct oidc_metrics_page	*page = &private_page;
static char			 page_dir[4096];	/* "" until open */

static const uint64_t bucket_us[OIDC_METRICS_NBUCKETS] =
    OIDC_METRICS_BUCKETS_US;

/* The single writer's increment: a relaxed load and store, no lock. */
static void
bump(uint64_t *p, uint64_t by)
{
	__atomic_store_n(p, __atomic_load_n(p, __ATOMIC_RELAXED) + by,
	    __ATOMIC_RELAXED);
}

void
oidc_metrics_inc(enum oidc_metric m)
{
	if ((unsigned)m < OIDC_METRIC__MAX)
		bump(&page->counter[m], 1);
}

void
oidc_metrics_request(int status, uint64_t us)
{
	size_t	 i;

	bump(&page->status[status >= 100 && status <= 599 ? status - 100 :
	    OIDC_METRICS_NSTATUS - 1], 1);
	for (i = 0; i < OIDC_METRICS_NBUCKETS && us > bucket_us[i]; i++)
		;
	bump(&page->latency[i], 1);
	bump(&page->latency_sum_us, us);
}

const struct oidc_metrics_page *
oidc_metrics_self(void)
{
	return page;
}

const char *
oidc_metrics_dir(void)
{
	return page_dir[0] != '\0' ? page_dir : NULL;
}

static bool
valid_name(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_'))
			return false;
	return true;
}

bool
oidc_metrics_page_valid(const struct oidc_metrics_page *p)
{
	size_t	 len = strnlen(p->endpoint, sizeof(p->endpoint));

	return p->magic == OIDC_METRICS_MAGIC &&
	    p->version == OIDC_METRICS_VERSION &&
	    p->size == sizeof(*p) && len < sizeof(p->endpoint) &&
	    valid_name(p->endpoint, len);
}

/*
 * Does a live process hold fd's file locked?  Open file description
 * locks, so that metrics.fcgi sees its own page as held too (a POSIX
 * lock never conflicts with its own process).  fcntl: sandbox-safe.
 */
static bool
is_locked(int fd)
{
	struct flock	 fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_OFD_GETLK, &fl) == -1)
		return false;
	return fl.l_type != F_UNLCK;
}

static bool
is_page_name(const char *name)
{
	size_t	 len = strlen(name);

	return len > SUFFIX_LEN && name[0] != '.' &&
	    strcmp(name + len - SUFFIX_LEN, SUFFIX) == 0;
}

/* Remove the pages nobody holds (their workers are gone). */
static void
remove_stale(int dfd)
{
	struct dirent	*de;
	DIR		*d;
	int		 fd, dup_fd;

	if ((dup_fd = dup(dfd)) == -1)
		return;
	if ((d = fdopendir(dup_fd)) == NULL) {
		(void)close(dup_fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (!is_page_name(de->d_name))
			continue;
		if ((fd = openat(dfd, de->d_name, O_RDONLY | O_CLOEXEC |
		    O_NOFOLLOW | O_NONBLOCK)) == -1)
			continue;
		if (!is_locked(fd))
			(void)unlinkat(dfd, de->d_name, 0);
		(void)close(fd);
	}
	(void)closedir(d);
}

int
oidc_metrics_open(const char *dir, const char *endpoint,
    struct oidc_error *err)
{
	struct oidc_metrics_page	*p;
	struct flock			 fl;
	char				 name[OIDC_METRICS_NAME_LEN + 32];
	int				 dfd, fd = -1;

	if (!valid_name(endpoint, strlen(endpoint)) ||
	    strlen(endpoint) >= OIDC_METRICS_NAME_LEN)
		return oidc_fail(err, OIDC_E_INTERNAL, NULL, "metrics: bad "
		    "endpoint name");
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return oidc_fail(err, OIDC_E_IO, NULL, "metrics_dir: %s: %s",
		    dir, strerror(errno));
	remove_stale(dfd);
	/*
	 * Made under a dot name (never a page name) and renamed once locked:
	 * a worker starting at the same time runs remove_stale() and would
	 * take a page not locked yet for a dead worker's, and unlink it.
	 */
	(void)snprintf(name, sizeof(name), ".%s.%ld" SUFFIX, endpoint,
	    (long)getpid());
	if ((fd = openat(dfd, name, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0640)) == -1) {
		(void)oidc_fail(err, OIDC_E_IO, NULL, "metrics_dir: %s/%s: %s",
		    dir, name, strerror(errno));
		goto fail;
	}
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	/*
	 * Zeros written, not a sparse ftruncate: the blocks are allocated
	 * now, so a full file system later cannot fault (SIGBUS) a store.
	 */
	if (fcntl(fd, F_OFD_SETLK, &fl) == -1 ||
	    pwrite(fd, &private_zero, sizeof(private_zero), 0) !=
	    (ssize_t)sizeof(private_zero)) {
		(void)oidc_fail(err, OIDC_E_IO, NULL, "metrics_dir: %s/%s: %s",
		    dir, name, strerror(errno));
		goto fail_unlink;
	}
	p = mmap(NULL, sizeof(*p), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		(void)oidc_fail(err, OIDC_E_IO, NULL, "metrics_dir: mmap: %s",
		    strerror(errno));
		goto fail_unlink;
	}
	memset(p, 0, sizeof(*p));
	p->version = OIDC_METRICS_VERSION;
	p->size = sizeof(*p);
	p->pid = (uint32_t)getpid();
	(void)snprintf(p->endpoint, sizeof(p->endpoint), "%s", endpoint);
	/* The magic last: a reader never takes a half-made page for one. */
	__atomic_store_n(&p->magic, OIDC_METRICS_MAGIC, __ATOMIC_RELEASE);
	if (renameat(dfd, name, dfd, name + 1) == -1) {
		(void)oidc_fail(err, OIDC_E_IO, NULL, "metrics_dir: %s/%s: %s",
		    dir, name + 1, strerror(errno));
		(void)munmap(p, sizeof(*p));
		goto fail_unlink;
	}
	page = p;
	(void)snprintf(page_dir, sizeof(page_dir), "%s", dir);
	/* fd stays open: closing it would drop the lock. */
	(void)close(dfd);
	return 0;
fail_unlink:
	(void)unlinkat(dfd, name, 0);
fail:
	if (fd != -1)
		(void)close(fd);
	(void)close(dfd);
	return -1;
}

/* One page file, if a live worker holds it and it is valid.  1/0. */
static int
read_page(int dfd, const char *name, struct oidc_metrics_page *out)
{
	ssize_t	 got;
	int	 fd, rc = 0;

	if ((fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK)) == -1)
		return 0;
	if (is_locked(fd)) {
		got = pread(fd, out, sizeof(*out), 0);
		rc = got == (ssize_t)sizeof(*out) &&
		    oidc_metrics_page_valid(out);
	}
	(void)close(fd);
	return rc;
}

int
oidc_metrics_read_dir(const char *dir, struct oidc_metrics_page *pages,
    size_t max, size_t *n, size_t *skipped, struct oidc_error *err)
{
	struct dirent	*de;
	DIR		*d;

	*n = *skipped = 0;
	if ((d = opendir(dir)) == NULL)
		return oidc_fail(err, OIDC_E_IO, NULL, "metrics_dir: %s: %s",
		    dir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (!is_page_name(de->d_name))
			continue;
		if (*n < max && read_page(dirfd(d), de->d_name, &pages[*n]))
			(*n)++;
		else
			(*skipped)++;
	}
	(void)closedir(d);
	return 0;
}

/* ---- exposition (text format 0.0.4) ---- */

int
oidc_metrics_label(struct oidc_buf *out, const char *v, size_t len,
    struct oidc_error *err)
{
	size_t	 i;
	int	 rc = 0;

	for (i = 0; i < len && rc == 0; i++) {
		if (v[i] == '\\')
			rc = oidc_buf_append(out, "\\\\", 2, err);
		else if (v[i] == '"')
			rc = oidc_buf_append(out, "\\\"", 2, err);
		else if (v[i] == '\n')
			rc = oidc_buf_append(out, "\\n", 2, err);
		else
			rc = oidc_buf_putc(out, v[i], err);
	}
	return rc;
}

struct sum {
	const char	*endpoint;
	size_t		 workers;
	uint64_t	 status[OIDC_METRICS_NSTATUS];
	uint64_t	 latency[OIDC_METRICS_NBUCKETS + 1];
	uint64_t	 latency_sum_us;
};

struct totals {
	struct sum	 ep[OIDC_METRICS_MAX_ENDPOINTS];
	size_t		 n;
	uint64_t	 counter[OIDC_METRIC__MAX];
};

static void
add_page(struct totals *t, const struct oidc_metrics_page *p)
{
	struct sum	*s;
	size_t		 i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->ep[i].endpoint, p->endpoint) == 0)
			break;
	if (i == t->n) {
		if (t->n == OIDC_METRICS_MAX_ENDPOINTS)
			return;
		t->ep[t->n++].endpoint = p->endpoint;
	}
	s = &t->ep[i];
	s->workers++;
	for (i = 0; i < OIDC_METRICS_NSTATUS; i++)
		s->status[i] += p->status[i];
	for (i = 0; i <= OIDC_METRICS_NBUCKETS; i++)
		s->latency[i] += p->latency[i];
	s->latency_sum_us += p->latency_sum_us;
	for (i = 0; i < OIDC_METRIC__MAX; i++)
		t->counter[i] += p->counter[i];
}

static int
header(struct oidc_buf *out, const char *name, const char *type,
    const char *help, struct oidc_error *err)
{
	return oidc_buf_printf(out, err, "# HELP %s %s\n# TYPE %s %s\n", name,
	    help, name, type);
}

static int
render_requests(struct oidc_buf *out, const struct totals *t,
    struct oidc_error *err)
{
	size_t	 i, k;

	if (header(out, "oidc_requests_total", "counter", "Requests answered, "
	    "by endpoint and HTTP status code.", err) == -1)
		return -1;
	for (i = 0; i < t->n; i++)
		for (k = 0; k < OIDC_METRICS_NSTATUS; k++) {
			if (t->ep[i].status[k] == 0)
				continue;
			if (k == OIDC_METRICS_NSTATUS - 1 ?
			    oidc_buf_printf(out, err, "oidc_requests_total"
			    "{endpoint=\"%s\",code=\"other\"} %llu\n",
			    t->ep[i].endpoint, (unsigned long long)
			    t->ep[i].status[k]) == -1 :
			    oidc_buf_printf(out, err, "oidc_requests_total"
			    "{endpoint=\"%s\",code=\"%zu\"} %llu\n",
			    t->ep[i].endpoint, k + 100, (unsigned long long)
			    t->ep[i].status[k]) == -1)
				return -1;
		}
	return 0;
}

static int
render_latency(struct oidc_buf *out, const struct totals *t,
    struct oidc_error *err)
{
	const char	*n = "oidc_request_duration_seconds";
	uint64_t	 cum;
	size_t		 i, k;

	if (header(out, n, "histogram", "Time from a request's arrival at "
	    "the worker to its response, by endpoint.", err) == -1)
		return -1;
	for (i = 0; i < t->n; i++) {
		const struct sum	*s = &t->ep[i];

		cum = 0;
		for (k = 0; k < OIDC_METRICS_NBUCKETS; k++) {
			cum += s->latency[k];
			if (oidc_buf_printf(out, err, "%s_bucket{endpoint=\"%s\","
			    "le=\"%g\"} %llu\n", n, s->endpoint,
			    (double)bucket_us[k] / 1e6,
			    (unsigned long long)cum) == -1)
				return -1;
		}
		/* +Inf and _count from the same snapshot: always equal. */
		cum += s->latency[k];
		if (oidc_buf_printf(out, err, "%s_bucket{endpoint=\"%s\","
		    "le=\"+Inf\"} %llu\n%s_sum{endpoint=\"%s\"} %.6f\n"
		    "%s_count{endpoint=\"%s\"} %llu\n", n, s->endpoint,
		    (unsigned long long)cum, n, s->endpoint,
		    (double)s->latency_sum_us / 1e6, n, s->endpoint,
		    (unsigned long long)cum) == -1)
			return -1;
	}
	return 0;
}

struct labelled {
	enum oidc_metric	 m;
	const char		*label;
};

static int
render_family(struct oidc_buf *out, const struct totals *t, const char *name,
    const char *help, const char *key, const struct labelled *v, size_t nv,
    struct oidc_error *err)
{
	size_t	 i;

	if (header(out, name, "counter", help, err) == -1)
		return -1;
	for (i = 0; i < nv; i++)
		if (oidc_buf_printf(out, err, "%s{%s=\"%s\"} %llu\n", name, key,
		    v[i].label, (unsigned long long)t->counter[v[i].m]) == -1)
			return -1;
	return 0;
}

static int
render_counters(struct oidc_buf *out, const struct totals *t,
    struct oidc_error *err)
{
	static const struct labelled	 logins[] = {
		{ OIDC_METRIC_LOGIN_OK, "ok" },
		{ OIDC_METRIC_LOGIN_FAILED, "failed" },
		{ OIDC_METRIC_LOGIN_THROTTLED, "throttled" },
	};
	static const struct labelled	 tokens[] = {
		{ OIDC_METRIC_TOKEN_AUTHORIZATION_CODE, "authorization_code" },
		{ OIDC_METRIC_TOKEN_REFRESH_TOKEN, "refresh_token" },
		{ OIDC_METRIC_TOKEN_CLIENT_CREDENTIALS, "client_credentials" },
		{ OIDC_METRIC_TOKEN_IMPLICIT, "implicit" },
		{ OIDC_METRIC_TOKEN_DEVICE_CODE, "device_code" },
	};
	static const struct labelled	 dberrs[] = {
		{ OIDC_METRIC_DB_ERROR, "error" },
		{ OIDC_METRIC_DB_UNAVAILABLE, "unavailable" },
	};

	if (render_family(out, t, "oidc_logins_total", "Password logins at "
	    "/authorize, by result (throttled: refused unchecked).", "result",
	    logins, OIDC_NELEM(logins), err) == -1 ||
	    render_family(out, t, "oidc_tokens_issued_total", "Access tokens "
	    "issued, by grant type (implicit: from /authorize).", "grant",
	    tokens, OIDC_NELEM(tokens), err) == -1 ||
	    render_family(out, t, "oidc_db_errors_total", "Database failures: "
	    "an error answer (error), or no usable connection "
	    "(unavailable).", "kind", dberrs, OIDC_NELEM(dberrs), err) == -1)
		return -1;
	return oidc_buf_printf(out, err, "# HELP oidc_db_retries_total "
	    "Statements run on a new connection: the idle one had died, or "
	    "the server refused or never got them (failover).\n# TYPE oidc_db_retries_total counter\n"
	    "oidc_db_retries_total %llu\n",
	    (unsigned long long)t->counter[OIDC_METRIC_DB_RETRY]);
}

int
oidc_metrics_render(struct oidc_buf *out,
    const struct oidc_metrics_page *pages, size_t n, struct oidc_error *err)
{
	static struct totals	 t;	/* 4 KiB per endpoint: not the stack */
	size_t			 i;

	memset(&t, 0, sizeof(t));
	for (i = 0; i < n; i++)
		if (oidc_metrics_page_valid(&pages[i]))
			add_page(&t, &pages[i]);
	if (render_requests(out, &t, err) == -1 ||
	    render_latency(out, &t, err) == -1 ||
	    render_counters(out, &t, err) == -1 ||
	    header(out, "oidc_workers", "gauge", "Live worker processes "
	    "with a metrics page, by endpoint.", err) == -1)
		return -1;
	for (i = 0; i < t.n; i++)
		if (oidc_buf_printf(out, err, "oidc_workers{endpoint=\"%s\"} "
		    "%zu\n", t.ep[i].endpoint, t.ep[i].workers) == -1)
			return -1;
	return 0;
}
