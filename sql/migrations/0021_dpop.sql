-- 0021_dpop.sql: DPoP (RFC 9449, issue 21 item 2; oidc/dpop.h).
--
-- token.dpop_jkt: the RFC 7638 SHA-256 thumbprint (base64url, 43
-- characters) of the key an access token, or a public client's refresh
-- token, is bound to (RFC 9449 5, 6.1); NULL for Bearer tokens.  token.c
-- decides which tokens are bound; the statements store what they are sent.
ALTER TABLE token ADD COLUMN dpop_jkt text
    CHECK (dpop_jkt IS NULL OR length(dpop_jkt) = 43);

-- The proofs seen (RFC 9449 11.1): the SHA-256 of the proof key's
-- thumbprint and the jti, kept until the proof's iat window has passed,
-- after which the iat check refuses a replay anyway.  oidcctl purge
-- deletes expired rows, and every insert removes a few of them, so the
-- table stays bounded by the proofs of one window.
CREATE TABLE dpop_jti (
	jti_hash	bytea PRIMARY KEY CHECK (length(jti_hash) = 32),
	expires_at	timestamptz NOT NULL
);
CREATE INDEX dpop_jti_expires ON dpop_jti (expires_at);
