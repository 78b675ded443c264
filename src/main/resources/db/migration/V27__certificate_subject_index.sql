-- Bulk import (decision 74) links each imported certificate to its issuers in the inventory: certificates whose
-- subject is the imported one's issuer name (RFC 5280 §6.1), then the signature decides.
CREATE INDEX ix_certificate_subject ON certificate (subject);
