-- 0025_mtls.sql: certificate-bound access and refresh tokens (RFC 8705 3,
-- 4; issue 21 item 6).
--
-- token.x5t_s256: the SHA-256 of the DER of the client certificate the
-- token is bound to (RFC 8705 3.1, x5t#S256: base64url, 43 characters),
-- forwarded by the web server as the FastCGI parameter SSL_CLIENT_CERT
-- when mtls_bound_tokens is on; NULL: not certificate-bound.  A token is
-- bound to a DPoP key (dpop_jkt) or a certificate, never both.
ALTER TABLE token ADD COLUMN x5t_s256 text
    CHECK (x5t_s256 IS NULL OR length(x5t_s256) = 43);
