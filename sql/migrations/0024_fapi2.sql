-- 0024_fapi2.sql: authorization codes bound to a DPoP key (RFC 9449 10,
-- issue 21 items 2 and 6).
--
-- auth_code.dpop_jkt: the RFC 7638 SHA-256 thumbprint (base64url, 43
-- characters) the authorization request bound the code to, by its
-- dpop_jkt parameter or by the DPoP proof of its pushed request (RFC 9449
-- 10.1); NULL: not bound.  The token endpoint redeems a bound code only
-- with a DPoP proof of that key (code_redeem compares it; token.c names
-- the rule broken).  Sealed codes (oidc/code.h) carry the same value in
-- the code itself.
ALTER TABLE auth_code ADD COLUMN dpop_jkt text
    CHECK (dpop_jkt IS NULL OR length(dpop_jkt) = 43);
