-- 0012_signing_key_rfc9864.sql: database signing keys for the fully-specified
-- EdDSA algorithms of RFC 9864, "Ed25519" and "Ed448" (issue 17 item 3).
--
-- One key serves one alg name: a key stored for "Ed25519" is published in
-- /jwks with "alg":"Ed25519" and never signs as "EdDSA", and the other way
-- round (common/crypto/jwk.c pins it).  An Ed25519 key wanted under both
-- names is two rows with two kids (oidcctl key generate twice).
ALTER TABLE signing_key DROP CONSTRAINT signing_key_alg_check;
ALTER TABLE signing_key ADD CONSTRAINT signing_key_alg_check
	CHECK (alg IN ('RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512',
	    'PS256', 'PS384', 'PS512', 'EdDSA', 'Ed25519', 'Ed448'));
