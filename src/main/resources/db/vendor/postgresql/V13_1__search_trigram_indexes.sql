-- PostgreSQL only (H2 has no trigram indexes): the inventory's substring search (subject, serial, SAN) uses trigram
-- GIN indexes instead of scanning every row. pg_trgm is a trusted extension: the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX ix_certificate_subject_trgm ON certificate USING gin (LOWER(subject) gin_trgm_ops);
CREATE INDEX ix_certificate_serial_trgm ON certificate USING gin (serial gin_trgm_ops);
CREATE INDEX ix_certificate_name_trgm ON certificate_name USING gin (name gin_trgm_ops);
