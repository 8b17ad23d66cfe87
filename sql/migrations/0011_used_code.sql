-- 0011_used_code.sql: sealed authorization codes are single-use (issue 16).
--
-- With a key_encryption_key configured, /authorize hands out a code that
-- carries its own data, sealed with AES-256-GCM (common/include/oidc/code.h),
-- and writes nothing.  /token records SHA-256 of the code here in the same
-- statement that inserts its tokens (stmt.c, code_redeem_sealed): the
-- primary key makes a second redemption, even a concurrent one, find the
-- code used, refuse it and revoke the tokens whose auth_code_hash it is.
-- A row is kept until the code has expired (plus a margin for clock skew
-- between the workers and the database, token.c); `oidcctl purge` removes
-- it after that.  No foreign keys: the row refers to nothing, and
-- a hot insert without trigger checks is the point of this table.
CREATE TABLE used_code (
	code_hash	bytea PRIMARY KEY CHECK (length(code_hash) = 32),
	expires_at	timestamptz NOT NULL
);
CREATE INDEX used_code_expires ON used_code (expires_at);
