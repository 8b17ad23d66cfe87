// at_jwt.js: an independent check of an RFC 9068 JWT access token with
// npm's jose (installed with openid-client, package-lock.json), for
// tests/integration/t/34-jwt-access-token.py.
//
// Input (environment): AT_TOKEN, AT_JWKS (the provider's JWKS JSON),
// AT_ISSUER, AT_AUDIENCE.  Output: one JSON line, {"ok": true, "header",
// "payload"} or {"ok": false, "error"}.
'use strict';

const jose = require('jose');

async function main() {
	const jwks = jose.createLocalJWKSet(JSON.parse(process.env.AT_JWKS));
	try {
		const { payload, protectedHeader } = await jose.jwtVerify(
		    process.env.AT_TOKEN, jwks, {
			issuer: process.env.AT_ISSUER,
			audience: process.env.AT_AUDIENCE,
			typ: 'at+jwt',
			algorithms: ['RS256'],
			requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat',
			    'jti', 'client_id'],
		});
		console.log(JSON.stringify({ ok: true,
		    header: protectedHeader, payload }));
	} catch (e) {
		console.log(JSON.stringify({ ok: false,
		    error: String(e.code || e.message) }));
	}
}

main();
