-- Sign-in throttling (issue 19): failed dashboard sign-ins per user name ('user:<name>') and per client address
-- ('address:<ip>'), shared by every node. After the configured number of failures a subject is blocked until
-- blocked_until, and each further failure doubles the block. Rows untouched for certwright.sign-in.forget-after are
-- purged. Numbered 23 so that it does not collide with the other issue-19 branches' migrations.
CREATE TABLE sign_in_failure (
    subject          VARCHAR(320) PRIMARY KEY,
    failures         INTEGER      NOT NULL,
    last_failure_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    blocked_until    TIMESTAMP WITH TIME ZONE
);

CREATE INDEX ix_sign_in_failure_last ON sign_in_failure (last_failure_at);
