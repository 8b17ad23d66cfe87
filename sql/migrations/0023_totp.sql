-- 0023_totp.sql: the TOTP second factor (RFC 6238, issue 22 item 2;
-- oidc/totp.h, oidc.conf(5) `totp`).
--
-- user_totp: one enrolled authenticator per user.  secret_sealed is the
-- 20-byte secret sealed under the key_encryption_key (oidc/seal.h) with
-- "totp" NUL user_id as associated data; last_step is the last RFC 6238
-- time step accepted, so a code is accepted once (a replay, or an older
-- code, is refused).  The UPDATE that records a step is its own check.
CREATE TABLE user_totp (
	user_id		bigint PRIMARY KEY
			REFERENCES app_user (user_id) ON DELETE CASCADE,
	secret_sealed	bytea NOT NULL CHECK (length(secret_sealed) > 29),
	last_step	bigint NOT NULL DEFAULT 0,
	created_at	timestamptz NOT NULL DEFAULT now()
);

-- Recovery codes: SHA-256 of "totp-recovery" NUL user_id NUL code; a row
-- is deleted when its code is used.
CREATE TABLE user_recovery_code (
	user_id		bigint NOT NULL
			REFERENCES app_user (user_id) ON DELETE CASCADE,
	code_hash	bytea NOT NULL CHECK (length(code_hash) = 32),
	PRIMARY KEY (user_id, code_hash)
);

-- A password login waiting for its second step (or, with totp =
-- required, for the user to enrol): the SHA-256 of the random ticket the
-- page carries, the user, the digest of the authorization request it
-- belongs to (login_session.login_request), and for an enrolment the
-- sealed secret being enrolled.  Short-lived; each insert removes a few
-- expired rows and `oidcctl purge` is not needed for them.
CREATE TABLE login_pending (
	ticket_hash	bytea PRIMARY KEY CHECK (length(ticket_hash) = 32),
	user_id		bigint NOT NULL
			REFERENCES app_user (user_id) ON DELETE CASCADE,
	login_request	bytea NOT NULL CHECK (length(login_request) = 32),
	secret_sealed	bytea CHECK (secret_sealed IS NULL OR
			    length(secret_sealed) > 29),
	expires_at	timestamptz NOT NULL
);
CREATE INDEX login_pending_expires ON login_pending (expires_at);
