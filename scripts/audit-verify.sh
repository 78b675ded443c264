#!/usr/bin/env bash
# Checks an audit export offline, without the server, the database or any secret (docs/decisions.md, decision 45).
#
#   curl -H "Authorization: Bearer $TOKEN" "https://certwright:8443/api/v1/audit-log?format=jsonl" > audit.jsonl
#   curl -H "Authorization: Bearer $TOKEN" https://certwright:8443/api/v1/audit-log/verify | jq .checkpointKey > checkpoint-key.jwk
#   scripts/audit-verify.sh audit.jsonl checkpoint-key.jwk
#
# Pin checkpoint-key.jwk once (it is derived from the CA's key-encryption key and does not change); the key in the
# export's header is not trusted. It recomputes every chain's SHA-256 links, checks every checkpoint's ES256 signature,
# and that each checkpointed head is in the export with the same hash (and position, for a full export). The entries'
# HMACs need the chain key and are checked by GET /api/v1/audit-log/verify only.
# Exit status: 0 valid, 1 invalid, 2 usage or I/O error. CERTWRIGHT_JAR names the jar (default target/certwright.jar).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
jar="${CERTWRIGHT_JAR:-$here/target/certwright.jar}"
. "$here/scripts/lib/jdk.sh"
exec "$JAVA_HOME/bin/java" -cp "$jar" -Dloader.main=dev.certwright.audit.AuditExportVerifier \
  org.springframework.boot.loader.launch.PropertiesLauncher "$@"
