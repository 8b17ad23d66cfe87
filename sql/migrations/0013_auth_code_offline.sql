-- 0013_auth_code_offline.sql: a stored code says whether its grant holds
-- offline access (issue 18 item 2: protocol rules in one place).
--
-- Whether a code yields a refresh token is decided in C
-- (oidc/grant.h: oidc_grant_offline at /authorize, after OIDC Core 11
-- dropped offline_access when its conditions were unmet, and
-- oidc_grant_may_refresh at /token).  code_redeem no longer reads the
-- scope string: it inserts the refresh token only when /token sent one
-- and this flag is set.  The UPDATE gives the codes in flight during the
-- upgrade (at most code_ttl seconds of them) the flag their scope implies.
ALTER TABLE auth_code ADD COLUMN offline boolean NOT NULL DEFAULT false;
UPDATE auth_code SET offline = true
    WHERE 'offline_access' = ANY (string_to_array(scope, ' '));
