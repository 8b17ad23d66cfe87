-- 0022_resource.sql: resource indicators (RFC 8707, issue 21 item 3;
-- oidc/resource.h).
--
-- resource: the protected resources a client may ask tokens for with the
-- `resource` parameter, registered by `oidcctl resource create`.
-- identifier: an absolute URI without a fragment (RFC 8707 2), the value
-- of the tokens' aud; scope: the scopes a token for it may carry
-- (space-separated; NULL: any); access_token_format: opaque or jwt (NULL:
-- the client's); access_token_lifetime: seconds (NULL: access_token_ttl).
CREATE TABLE resource (
	identifier		text PRIMARY KEY
	    CHECK (length(identifier) BETWEEN 1 AND 512),
	scope			text,
	access_token_format	text
	    CHECK (access_token_format IN ('opaque', 'jwt')),
	access_token_lifetime	integer
	    CHECK (access_token_lifetime BETWEEN 1 AND 86400),
	created_at		timestamptz NOT NULL DEFAULT now()
);

-- The resources granted at /authorize (space-separated identifiers; NULL:
-- none asked), and those a token is for: an access token's audience, a
-- refresh token's grant (a refresh may narrow it).
ALTER TABLE auth_code ADD COLUMN resource text;
ALTER TABLE token ADD COLUMN resource text;
