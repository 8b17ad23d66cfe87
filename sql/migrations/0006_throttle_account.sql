-- 0006_throttle_account.sql: throttling per (account, source address)
-- (issue 15 item 3).
--
-- Failed logins used to be counted per account ("u:NAME") and per address
-- ("a:ADDR"); ten failures from anywhere locked the account out from
-- everywhere.  They are now counted per (account, source) ("u:ADDR NAME")
-- and per source ("a:ADDR"), and client authentication failures per
-- (client, source) ("c:ADDR CLIENT_ID") and per source ("ca:ADDR"); see
-- common/db/stmt.c, THROTTLE.  `account` names the account of a
-- per-(account, source) row, so `oidcctl user unlock NAME` can remove all
-- of them without parsing keys.  Old "u:" and "L:" rows are no longer
-- read; `oidcctl purge` removes them after login_window.
ALTER TABLE login_failure ADD COLUMN account text;
CREATE INDEX login_failure_account ON login_failure (account)
    WHERE account IS NOT NULL;
