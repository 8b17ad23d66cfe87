/*
 * scrape.c: the /metrics endpoint (see oidc/scrape.h).
 */
#include <string.h>

#include "oidc/arena.h"
#include "oidc/buf.h"
#include "oidc/config.h"
#include "oidc/ctx.h"
#include "oidc/db.h"
#include "oidc/keystore.h"
#include "oidc/log.h"
#include "oidc/metrics.h"
#include "oidc/netaddr.h"
#include "oidc/request.h"
#include "oidc/response.h"
#include "oidc/scrape.h"

#define LOOPBACK	"127.0.0.0/8 ::1"

/* Process lifetime: read into, summed, rendered; not the request arena. */
static struct oidc_metrics_page	 pages[OIDC_METRICS_MAX_PAGES];
static struct oidc_netaddr_list	 loopback;

int
oidc_scrape_init(struct oidc_ctx *ctx, struct oidc_error *err)
{
	(void)ctx;
	return oidc_netaddr_list_parse(LOOPBACK, strlen(LOOPBACK), &loopback,
	    err);
}

static bool
allowed(const struct oidc_ctx *ctx, const struct oidc_request *req)
{
	const struct oidc_netaddr_list	*allow = ctx->cfg->metrics_allow !=
	    NULL ? ctx->cfg->metrics_allow : &loopback;
	struct oidc_netaddr		 a;

	return oidc_netaddr_parse(req->client_addr, strlen(req->client_addr),
	    &a) == 0 && oidc_netaddr_list_has(allow, &a);
}

/* The active database keys' ages; the database down leaves them out. */
static int
key_ages(struct oidc_ctx *ctx, struct oidc_buf *out, struct oidc_error *err)
{
	struct oidc_signing_key_row	*rows;
	struct oidc_error		 dberr = { 0 };
	size_t				 n, i;

	if (oidc_buf_puts(out, "# HELP oidc_signing_key_age_seconds Seconds "
	    "since each active database signing key began to sign.\n"
	    "# TYPE oidc_signing_key_age_seconds gauge\n", err) == -1)
		return -1;
	if (oidc_db_signing_key_list(ctx->db, ctx->a, false, false, &rows, &n,
	    &dberr) == -1) {
		oidc_log_error(OIDC_LOG_WARN, &dberr, "metrics: signing keys "
		    "not listed");
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (oidc_key_state_at(&rows[i], (int64_t)ctx->now) !=
		    OIDC_KEY_ACTIVE)
			continue;
		if (oidc_buf_puts(out, "oidc_signing_key_age_seconds{kid=\"",
		    err) == -1 || oidc_metrics_label(out, rows[i].kid.p,
		    rows[i].kid.len, err) == -1 ||
		    oidc_buf_puts(out, "\",alg=\"", err) == -1 ||
		    oidc_metrics_label(out, rows[i].alg.p, rows[i].alg.len,
		    err) == -1 || oidc_buf_printf(out, err, "\"} %lld\n",
		    (long long)((int64_t)ctx->now - rows[i].activate_at)) == -1)
			return -1;
	}
	return 0;
}

int
oidc_scrape_handle(struct oidc_ctx *ctx, const struct oidc_request *req,
    struct oidc_response *resp, struct oidc_error *err)
{
	const char	*dir = ctx->cfg->metrics_dir != NULL ?
	    ctx->cfg->metrics_dir : oidc_metrics_dir();
	size_t		 n = 0, skipped = 0;

	if (!allowed(ctx, req))
		return oidc_fail(err, OIDC_E_ACCESS_DENIED, "metrics are not "
		    "available from this address", "metrics from %s",
		    req->client_addr);
	if (dir == NULL)
		return oidc_fail(err, OIDC_E_BUSY, "no metrics directory",
		    "metrics: no metrics_dir and no socket directory");
	if (oidc_metrics_read_dir(dir, pages, OIDC_NELEM(pages), &n,
	    &skipped, err) == -1)
		return -1;
	resp->status = 200;
	if (oidc_resp_header(resp, "Content-Type", "text/plain; "
	    "version=0.0.4; charset=utf-8", err) == -1 ||
	    oidc_resp_no_store(resp, err) == -1 ||
	    oidc_metrics_render(&resp->body, pages, n, err) == -1 ||
	    key_ages(ctx, &resp->body, err) == -1)
		return -1;
	return oidc_buf_printf(&resp->body, err, "# HELP oidc_metrics_pages_"
	    "skipped Files of the metrics directory left out of this scrape "
	    "(workers gone, unreadable, or over the limit).\n"
	    "# TYPE oidc_metrics_pages_skipped gauge\n"
	    "oidc_metrics_pages_skipped %zu\n", skipped);
}
