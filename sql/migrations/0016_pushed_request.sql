-- 0016_pushed_request.sql: Pushed Authorization Requests (RFC 9126, issue 21
-- item 1).
--
-- par.fcgi authenticates the client, validates the authorization parameters
-- as /authorize would, and stores them here under SHA-256 of the random part
-- of the request_uri it returns (urn:ietf:params:oauth:request_uri:<random>);
-- the request_uri itself is never stored.  /authorize redeems a row exactly
-- once with one UPDATE ... WHERE NOT used AND expires_at > now() RETURNING
-- (stmt.c, par_redeem), so any worker on any host may redeem it and a second
-- or late use finds nothing.  par_insert deletes a few expired rows each time
-- it inserts one, and `oidcctl purge` deletes the rest.
CREATE TABLE pushed_request (
	uri_hash	bytea PRIMARY KEY CHECK (length(uri_hash) = 32),
	client_id	text NOT NULL,
	params		text NOT NULL,
	used		boolean NOT NULL DEFAULT false,
	created_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL
);
CREATE INDEX pushed_request_expires ON pushed_request (expires_at);
