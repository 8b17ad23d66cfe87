-- 0003_signing_keys.sql: signing keys managed with `oidcctl key` (issue 7).
--
-- A key's life is four instants; its state at time t follows from them
-- (common/oidc/keystore.c computes it the same way):
--
--   publish_at  <= t < activate_at   pending: in the JWKS, does not sign
--   activate_at <= t < retire_at     active: signs (one per alg at a time)
--   retire_at   <= t < expire_at     retired: in the JWKS, does not sign
--   expire_at   <= t                 expired: gone from the JWKS
--
-- retire_at and expire_at are NULL until the key is retired or its
-- successor is scheduled (`oidcctl key rotate` sets the old key's
-- retire_at to the successor's activate_at, so exactly one key signs at
-- any instant).  expire_at is retire_at plus the longest token lifetime,
-- so every token signed before the rotation keeps verifying.
--
-- private_key is the PKCS#8 PEM sealed with AES-256-GCM under the
-- key_encryption_key of oidc.conf(5), never the database:
--   0x01 || nonce (12) || ciphertext || tag (16), aad = kid || '\n' || alg
-- (common/crypto/seal.c, common/oidc/keystore.c).
--
-- Every worker polls signing_key_generation.generation (one row) every
-- key_reload_interval seconds and reloads the keys when it changed.  The
-- statement trigger below bumps it for ANY change to signing_key (psql
-- included); the row lock it takes serialises writers, so generations
-- commit in order and a reader never misses one.  The same trigger
-- refuses two keys of one alg whose active intervals overlap.

CREATE TABLE signing_key (
	kid		text PRIMARY KEY
			CHECK (length(kid) BETWEEN 1 AND 128
			       AND kid ~ '^[\x21-\x7e]+$'),
	alg		text NOT NULL CHECK (alg IN ('RS256', 'RS384', 'RS512',
			    'ES256', 'ES384', 'ES512', 'PS256', 'PS384',
			    'PS512', 'EdDSA')),
	-- The public JWK (kty, kid, use "sig", alg, key members).
	public_jwk	jsonb NOT NULL CHECK (jsonb_typeof(public_jwk) = 'object'),
	private_key	bytea NOT NULL CHECK (length(private_key) > 29
			    AND get_byte(private_key, 0) = 1),
	created_at	timestamptz NOT NULL DEFAULT now(),
	publish_at	timestamptz NOT NULL DEFAULT now(),
	activate_at	timestamptz NOT NULL,
	retire_at	timestamptz,
	expire_at	timestamptz,
	updated_at	timestamptz NOT NULL DEFAULT now(),
	CHECK (publish_at <= activate_at),
	CHECK (retire_at IS NULL OR retire_at >= activate_at),
	CHECK (expire_at IS NULL OR (retire_at IS NOT NULL
	    AND expire_at >= retire_at))
);
CREATE INDEX signing_key_alg ON signing_key (alg, activate_at);

CREATE TABLE signing_key_generation (
	one		boolean PRIMARY KEY DEFAULT true CHECK (one),
	generation	bigint NOT NULL
);
INSERT INTO signing_key_generation (one, generation) VALUES (true, 1);

CREATE FUNCTION signing_key_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	-- Takes the row lock first: concurrent writers queue here, and the
	-- check below then sees every committed key.
	UPDATE signing_key_generation SET generation = generation + 1;
	IF EXISTS (SELECT 1 FROM signing_key a JOIN signing_key b
	    ON a.alg = b.alg AND a.kid < b.kid
	    AND tstzrange(a.activate_at, a.retire_at) &&
	        tstzrange(b.activate_at, b.retire_at)) THEN
		RAISE EXCEPTION 'two signing keys of one alg would be active '
		    'at the same time' USING ERRCODE = 'unique_violation';
	END IF;
	RETURN NULL;
END;
$$;

CREATE TRIGGER signing_key_changed
	AFTER INSERT OR UPDATE OR DELETE ON signing_key
	FOR EACH STATEMENT EXECUTE FUNCTION signing_key_changed();
