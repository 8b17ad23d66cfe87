-- 0004_registration.sql: dynamic client registration (RFC 7591) and its
-- management protocol (RFC 7592).
--
-- A client registered through /register carries the SHA-256 of its
-- registration access token; clients made with `oidcctl client create`
-- leave it NULL and cannot be read, changed or deleted through
-- /register/<client_id>.  The token itself is never stored.  The
-- registration time (client_id_issued_at) is created_at.

ALTER TABLE client ADD COLUMN registration_token_hash bytea
	CHECK (registration_token_hash IS NULL OR
	       length(registration_token_hash) = 32);
