/*
 * fuzz_config.c: the oidc.conf parser (common/base/config.c).
 * The fuzzer's buffer is passed as is: no copy, no NUL, so ASan catches
 * any read past len.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oidc/arena.h"
#include "oidc/config.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct oidc_arena	*fa;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if ((fa = oidc_arena_new(4096, 1 << 20)) == NULL)
		abort();
	return 0;
}

/*
 * Custom scopes (`scope`): within the limits, at least one claim each,
 * names of the allowed length, no claim reserved, none declared twice.
 */
static void
check_scopes(const struct oidc_config *cfg)
{
	size_t	 i, k, n = 0, len;

	if (cfg->nscopes > OIDC_CONFIG_MAX_SCOPES ||
	    cfg->nclaims > OIDC_CONFIG_MAX_CLAIMS)
		abort();
	for (i = 0; i < cfg->nscopes; i++) {
		len = strlen(cfg->scopes[i].name);
		if (len == 0 || len > OIDC_CONFIG_MAX_NAME ||
		    cfg->scopes[i].nclaims == 0)
			abort();
		for (k = 0; k < cfg->scopes[i].nclaims; k++, n++) {
			len = strlen(cfg->scopes[i].claims[k]);
			if (len == 0 || len > OIDC_CONFIG_MAX_NAME ||
			    oidc_config_claim_reserved(
			    cfg->scopes[i].claims[k], len))
				abort();
		}
	}
	if (n != cfg->nclaims)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oidc_error	 err = { 0 };
	struct oidc_config	 cfg;
	size_t			 i;

	if (oidc_config_parse(fa, "fuzz.conf", (const char *)data, size, &cfg,
	    &err) == 0) {
		/* Required keys set, bounds held, strings NUL-terminated. */
		if (cfg.issuer == NULL || cfg.database == NULL ||
		    strlen(cfg.issuer) != cfg.issuer_len ||
		    cfg.issuer[cfg.issuer_len - 1] == '/' ||
		    strchr(cfg.issuer, '?') != NULL ||
		    strchr(cfg.issuer, '#') != NULL ||
		    strchr(cfg.issuer, '@') != NULL ||
		    cfg.nkeys > OIDC_CONFIG_MAX_KEYS ||
		    cfg.code_ttl < 1 || cfg.code_ttl > 600 ||
		    cfg.access_token_ttl < 1 || cfg.access_token_ttl > 86400 ||
		    cfg.id_token_ttl < 1 || cfg.id_token_ttl > 86400 ||
		    cfg.refresh_token_ttl < 0 ||
		    cfg.refresh_token_ttl > 31536000 ||
		    cfg.session_ttl < 60 || cfg.session_ttl > 2592000 ||
		    cfg.db_timeout < 1 || cfg.db_timeout > 60 ||
		    cfg.login_window < 10 || cfg.login_window > 86400)
			abort();
		if (!cfg.issuer_is_https &&
		    strncmp(cfg.issuer, "http://127.0.0.1", 16) != 0 &&
		    strncmp(cfg.issuer, "http://localhost", 16) != 0 &&
		    strncmp(cfg.issuer, "http://[::1]", 12) != 0)
			abort();
		for (i = 0; i < cfg.nkeys; i++)
			if (cfg.keys[i].path == NULL ||
			    cfg.keys[i].path[0] == '\0')
				abort();
		check_scopes(&cfg);
	} else if (err.code != OIDC_E_CONFIG && err.code != OIDC_E_LIMIT &&
	    err.code != OIDC_E_NOMEM)
		abort();
	oidc_arena_reset(fa);
	return 0;
}
