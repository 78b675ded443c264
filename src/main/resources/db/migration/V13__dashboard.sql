-- The dashboard (issue 7): the last run of each Quartz job, and indexes for the pages' queries.

-- One row per job: when it last ran, on which node, how long, and how it ended.
CREATE TABLE job_run (
    job_group    VARCHAR(64)   NOT NULL,
    job_name     VARCHAR(128)  NOT NULL,
    node         VARCHAR(255)  NOT NULL,
    started_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    duration_ms  BIGINT        NOT NULL,
    outcome      VARCHAR(16)   NOT NULL,   -- success | failure
    error        VARCHAR(1000),
    PRIMARY KEY (job_group, job_name)
);

CREATE INDEX ix_deployment_certificate ON deployment (certificate_id, id);
CREATE INDEX ix_deployment_finished ON deployment (status, finished_at);
CREATE INDEX ix_managed_certificate_attempts ON managed_certificate (renew_attempts);
CREATE INDEX ix_certificate_source ON certificate (source, id);
CREATE INDEX ix_certificate_issuer ON certificate (issuer_name, id);
CREATE INDEX ix_app_user_role ON app_user (role);
