-- 0005_backchannel.sql: OpenID Connect Back-Channel Logout 1.0.
--
-- session_client records which clients received a code or tokens in a
-- login session (written by the authorization endpoint when it issues),
-- so that ending the session can notify exactly those clients.  The rows
-- go with their session (ON DELETE CASCADE from login_session, also when
-- `oidcctl purge` removes expired sessions).
--
-- backchannel_delivery is the queue of logout tokens waiting to be POSTed
-- to clients' backchannel_logout_uri.  The end_session endpoint only
-- inserts rows, in the transaction that ends the session; `oidcctl
-- backchannel deliver` sends them, outside any user's request.  A row is
-- deleted when delivered, when it has used its attempts, or once its
-- token has expired.  The token is a signed JWT meant for the client; it
-- grants nothing at this provider.

CREATE TABLE session_client (
	sid		text NOT NULL REFERENCES login_session (sid)
			    ON DELETE CASCADE,
	client_id	text NOT NULL REFERENCES client ON DELETE CASCADE,
	created_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (sid, client_id)
);
CREATE INDEX session_client_client ON session_client (client_id);

CREATE TABLE backchannel_delivery (
	delivery_id	bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	client_id	text NOT NULL REFERENCES client ON DELETE CASCADE,
	uri		text NOT NULL,
	token		text NOT NULL,
	attempts	integer NOT NULL DEFAULT 0,
	next_attempt_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX backchannel_delivery_next ON backchannel_delivery
	(next_attempt_at);
