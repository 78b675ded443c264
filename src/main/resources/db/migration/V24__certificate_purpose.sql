-- What a certificate is for, where it is not a subscriber's (issue 20): the inventory's own mark for OCSP responder
-- certificates, so that retention, OCSP pre-signing and the expiry notices leave them out without reading
-- revocation's ocsp_responder table or knowing issuance's profile name. NULL is a subscriber's certificate.
ALTER TABLE certificate ADD COLUMN purpose VARCHAR(16);

-- Existing responder certificates: those revocation registered, and those reserved for one (PENDING or FAILED included).
UPDATE certificate SET purpose = 'OCSP_RESPONDER'
    WHERE id IN (SELECT certificate_id FROM ocsp_responder) OR (source = 'CA' AND profile = 'ocsp-responder');
