-- When a challenge's validation started, so that a validation left processing by a node that stopped is taken up again
-- by another node (one claim wins: the UPDATE that moves started_at).
ALTER TABLE acme_challenge ADD COLUMN started_at TIMESTAMP WITH TIME ZONE;
CREATE INDEX ix_acme_challenge_processing ON acme_challenge (status, started_at);
