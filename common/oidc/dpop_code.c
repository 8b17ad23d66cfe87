/*
 * dpop_code.c: authorization codes bound to a DPoP key, RFC 9449 10 and
 * 10.1 (see oidc/dpop.h).
 */
#include <string.h>

#include "oidc/dpop.h"

/* The base64url characters whose value has its low two bits clear. */
#define LAST_CHARS	"AEIMQUYcgkosw048"

static bool
b64url_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

bool
oidc_dpop_jkt_ok(struct oidc_str jkt)
{
	size_t	 i;

	if (jkt.p == NULL || jkt.len != OIDC_DPOP_JKT_LEN)
		return false;
	for (i = 0; i < jkt.len; i++)
		if (!b64url_char(jkt.p[i]))
			return false;
	/* 32 bytes are 256 bits: the 43rd character holds 4 of its 6. */
	return strchr(LAST_CHARS, jkt.p[jkt.len - 1]) != NULL;
}

int
oidc_dpop_par_jkt(struct oidc_str param, struct oidc_str proof,
    struct oidc_str *out, struct oidc_error *err)
{
	if (param.p != NULL && proof.p != NULL && !oidc_str_eq(param, proof))
		return oidc_fail(err, OIDC_E_INVALID_DPOP_PROOF, "dpop_jkt is "
		    "not the thumbprint of the DPoP proof's key",
		    "dpop: dpop_jkt and PAR proof differ");
	*out = param.p != NULL ? param : proof;
	return 0;
}

int
oidc_dpop_code_ok(struct oidc_str bound, struct oidc_str proof_jkt,
    struct oidc_error *err)
{
	if (bound.p == NULL)
		return 0;
	if (proof_jkt.p == NULL)
		return oidc_fail(err, OIDC_E_INVALID_GRANT, "the code is bound "
		    "to a DPoP key (dpop_jkt): send a DPoP proof of that key",
		    "dpop: bound code without proof");
	if (!oidc_str_eq(bound, proof_jkt))
		return oidc_fail(err, OIDC_E_INVALID_GRANT, "the DPoP proof "
		    "key is not the key the code is bound to (dpop_jkt)",
		    "dpop: code jkt mismatch");
	return 0;
}
