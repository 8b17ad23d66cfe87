-- 0008_consent_claims.sql: consent remembered per claim (issue 15, item 2).
--
-- A client may ask for single claims with the claims request parameter
-- (OIDC Core 5.5), outside any scope.  The consent page lists each such
-- claim the provider knows, and the user's answer is remembered here next
-- to the scope: a space-separated set of claim names (the same syntax as
-- scope).  A stored consent covers a request only if it holds every scope
-- value and every claim asked for one by one (or a scope that releases
-- it).  Consents stored before this migration hold no claim, so a request
-- for single claims shows the consent page once more.

ALTER TABLE consent ADD COLUMN claims text NOT NULL DEFAULT '';
