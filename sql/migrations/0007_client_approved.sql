-- 0007_client_approved.sql: operator approval of dynamically registered
-- clients (issue 15 item 8, RFC 9700 section 4.11.2).
--
-- Anyone allowed to register a client (see `registration` in oidc.conf(5))
-- chooses its redirect_uris and post_logout_redirect_uris.  Until an
-- operator runs `oidcctl client approve ID`, such a client is not
-- approved: its /authorize error responses and its post-logout redirect
-- are shown as a "you are leaving for <host>" page instead of a redirect,
-- so our origin is no open redirector.  Clients made with `oidcctl client
-- create` are approved (the default); clients already registered through
-- /register (registration_token_hash set) start unapproved.

ALTER TABLE client ADD COLUMN approved boolean NOT NULL DEFAULT true;
UPDATE client SET approved = false WHERE registration_token_hash IS NOT NULL;
