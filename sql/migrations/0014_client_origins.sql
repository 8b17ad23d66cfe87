-- 0014_client_origins.sql: the CORS origins of each client, computed in C
-- (issue 18 item 2: protocol rules in one place).
--
-- Which origins a client's browser code may read the token and UserInfo
-- endpoints from is decided by oidc/cors.h (oidc_cors_origin_of of each
-- redirect URI); every client write stores that set here
-- (oidc_client_row_set_metadata, client.c), so the CORS preflight, which
-- has no client yet, finds an origin with one containment test instead of
-- reading metadata in SQL.  The UPDATE fills the rows written before this
-- migration with the same set: the one time SQL derives an origin
-- (scheme "://" up to the first '/', '?' or '#', as oidc_cors_origin_of).
ALTER TABLE client ADD COLUMN origins jsonb NOT NULL DEFAULT '[]';
UPDATE client c SET origins = coalesce((
    SELECT jsonb_agg(DISTINCT o) FROM (
	SELECT substring(u FROM '^[^:]*://[^/?#]*') AS o
	FROM jsonb_array_elements_text(c.metadata->'redirect_uris') u) x
    WHERE o IS NOT NULL), '[]');
CREATE INDEX client_origins ON client USING gin (origins jsonb_path_ops);
