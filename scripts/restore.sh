#!/usr/bin/env bash
# Rebuilds a Certwright node from a backup made by scripts/backup.sh (docs/decisions.md, decision 69): into an empty
# data directory (H2), or an empty PostgreSQL database named by the server's settings. It refuses a target that holds a
# database. Start the node afterwards with the same CA passphrase; its first start records the restore in the audit log.
#
#   export CERTWRIGHT_BACKUP_PASSPHRASE=... CERTWRIGHT_CA_PASSPHRASE=...
#   scripts/restore.sh --in node.p7m --data-dir /var/lib/certwright-new                                         # H2
#   SPRING_DATASOURCE_PASSWORD=... scripts/restore.sh --in node.p7m --data-dir /var/lib/certwright-new \
#       --spring.datasource.url=jdbc:postgresql://db:5432/certwright_new --spring.datasource.username=certwright  # PostgreSQL
#
# The arguments go to `java -jar certwright.jar restore`. Exit status 0 restored, 1 not, 2 usage error.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
. "$here/scripts/lib/jdk.sh"
. "$here/scripts/lib/certwright-jar.sh"
exec "$JAVA_HOME/bin/java" -jar "$CERTWRIGHT_JAR" restore "$@"
