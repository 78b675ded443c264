-- KEK rotation (decision 68). The CA keystore row's version (V25), raised by every rewrite of the keystore, keeps a
-- node that read it before from overwriting a newer one (a compare-and-set on the version).

-- The cluster's current KEK and its rotation: one row, there from the start, so that a wrap can lock it for share and a
-- rotation must wait for such wraps to commit (the row a rotation updates always exists). state: NONE (never rotated),
-- REWRAPPING (stored keys are being moved to kek_id), COMPLETED. rewrapped counts the keys moved, committed with each
-- batch; unreadable is what a completed rotation could not unwrap and left under its old KEK.
CREATE TABLE kek_rotation (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    kek_id        VARCHAR(32)  NOT NULL,
    state         VARCHAR(16)  NOT NULL,
    requested_by  VARCHAR(255),
    started_at    TIMESTAMP WITH TIME ZONE,
    finished_at   TIMESTAMP WITH TIME ZONE,
    rewrapped     BIGINT NOT NULL DEFAULT 0,
    unreadable    BIGINT NOT NULL DEFAULT 0
);
INSERT INTO kek_rotation (id, kek_id, state) VALUES (1, 'kek-1', 'NONE');

-- The re-wrapping job takes the keys still under an older KEK in row order, and counts keys per KEK.
CREATE INDEX ix_certificate_key_kek ON certificate_key (kek_id, certificate_id);
