-- 0017_device_code.sql: the Device Authorization Grant (RFC 8628, issue 21
-- item 4).
--
-- device.fcgi inserts one row per device authorization request: the
-- SHA-256 of the device code (the secret the device polls /token with)
-- and of the user code (normalised: eight letters, no dash), both
-- looked up by hash only.  The /device page of authorize.fcgi approves or
-- denies a pending row for the signed-in user; /token polls it with one
-- statement (common/db/stmt.c, device_poll) that records the poll, grows
-- the interval by 5 seconds when the device polls too fast (RFC 8628 3.5)
-- and marks an approved row used, so its tokens are issued once.  Rows
-- are kept until expires_at; `oidcctl purge` removes them after that.
CREATE TABLE device_code (
	code_hash	bytea PRIMARY KEY CHECK (length(code_hash) = 32),
	user_code_hash	bytea NOT NULL UNIQUE
			CHECK (length(user_code_hash) = 32),
	client_id	text NOT NULL REFERENCES client ON DELETE CASCADE,
	scope		text NOT NULL,
	-- Seconds the device must wait between polls (grows on slow_down).
	poll_interval	integer NOT NULL CHECK (poll_interval BETWEEN 1 AND 3600),
	last_poll	timestamptz,
	status		text NOT NULL DEFAULT 'pending'
			CHECK (status IN ('pending', 'approved', 'denied',
			    'used')),
	-- Set by the /device page's decision.
	user_id		bigint REFERENCES app_user ON DELETE CASCADE,
	auth_time	timestamptz,
	amr		text,
	sid		text,
	created_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL
);
CREATE INDEX device_code_expires ON device_code (expires_at);
