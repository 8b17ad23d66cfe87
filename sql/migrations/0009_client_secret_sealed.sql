-- 0009_client_secret_sealed.sql: recoverable client secrets sealed at rest
-- (issue 15 item 10).
--
-- A client that signs with its secret (client_secret_jwt) or receives
-- HS256/384/512 tokens from us needs the secret itself, not only its hash
-- (OIDC Core 9, 10.1).  It was kept in clear in secret_plain, so a copy of
-- the database (a dump, a backup, a read-only role) revealed it.  It is now
-- kept in secret_sealed: AES-256-GCM under the key_encryption_key, the file
-- that already seals the private signing keys (oidc/seal.h), with the
-- client_id as associated data, so a sealed secret copied to another row
-- opens for nobody.
--
-- Rows written before this migration keep their clear secret_plain and
-- still work; `oidcctl client seal-secrets` seals them and clears
-- secret_plain in one transaction (oidcctl(8)).  Nothing writes
-- secret_plain any more.

-- 0x01 || nonce (12) || ciphertext || tag (16): 29 bytes more than the
-- secret, which is never empty.
ALTER TABLE client ADD COLUMN secret_sealed bytea
	CHECK (secret_sealed IS NULL OR length(secret_sealed) > 29);
