/*
 * fuzz_netaddr.c: X-Forwarded-For behind trusted proxies and the
 * trusted_proxies list (common/base/netaddr.c).  The input is passed
 * without a copy or NUL; the result must be a canonical address.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oidc/netaddr.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct oidc_netaddr_list	 trusted;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct oidc_error	 err = { 0 };
	static const char	 list[] = "127.0.0.1 ::1 10.0.0.0/8";

	(void)argc;
	(void)argv;
	if (oidc_netaddr_list_parse(list, sizeof(list) - 1, &trusted,
	    &err) == -1)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oidc_netaddr_list	 l;
	struct oidc_netaddr		 a;
	struct oidc_error		 err = { 0 };
	const char			*buf = (const char *)data;
	char				 out[OIDC_NETADDR_BUFLEN];

	if (oidc_netaddr_client(&trusted, "127.0.0.1", 9, buf, size,
	    out) == -1)
		abort();
	/* Whatever won is an address, in canonical form. */
	if (oidc_netaddr_parse(out, strlen(out), &a) == -1)
		abort();
	if (oidc_netaddr_list_parse(buf, size, &l, &err) == 0 &&
	    l.n > OIDC_NETADDR_MAX_PROXIES)
		abort();
	(void)!oidc_netaddr_parse(buf, size, &a);
	return 0;
}
