#!/usr/bin/env bash
# Writes one encrypted, consistent backup of a Certwright node (docs/decisions.md, decision 69): the database, the CA
# keystore row it holds, the CA configuration's digest and a manifest, as CMS EnvelopedData to a passphrase.
#
#   export CERTWRIGHT_BACKUP_PASSPHRASE=...        # at least 12 characters; never on the command line
#   scripts/backup.sh --out node.p7m --server https://certwright:8443 --token-file admin-token --cacert root.pem   # a running node
#   scripts/backup.sh --out node.p7m --data-dir ./data                                                           # a stopped H2 node
#   SPRING_DATASOURCE_PASSWORD=... scripts/backup.sh --out node.p7m \
#       --spring.datasource.url=jdbc:postgresql://db:5432/certwright --spring.datasource.username=certwright      # PostgreSQL, running or not
#
# The arguments go to `java -jar certwright.jar backup`; database settings are the server's (--key=value, SPRING_*
# variables, application.properties). Exit status 0 when the archive was written and read back, 1 when not, 2 for a
# usage error. CERTWRIGHT_JAR names the jar (default target/certwright.jar, built when older than the sources).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
. "$here/scripts/lib/jdk.sh"
. "$here/scripts/lib/certwright-jar.sh"
exec "$JAVA_HOME/bin/java" -jar "$CERTWRIGHT_JAR" backup "$@"
