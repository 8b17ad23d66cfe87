-- 0010_session_login_request.sql: which authorization request a password
-- login was for (issue 15 item 7).
--
-- prompt=login and max_age demand a fresh password check.  The consent page
-- that follows the login page of the same authorization request may count
-- that login as fresh, and only that page: authorize.c stores SHA-256 of
-- the request's parameters with the session made by the login and compares
-- it when the consent answer arrives.  Sessions made before this migration
-- hold NULL and never count as fresh.
ALTER TABLE login_session
	ADD COLUMN login_request bytea
	    CHECK (login_request IS NULL OR length(login_request) = 32);
