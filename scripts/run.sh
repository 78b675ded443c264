#!/usr/bin/env bash
# Builds Certwright if needed and starts it on the embedded H2 database under ./data.
# Arguments are passed to the application, e.g. scripts/run.sh --server.port=9443
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/jdk.sh

jar=target/certwright.jar
if [ ! -f "$jar" ] || [ -n "$(find pom.xml src templates -newer "$jar" -print -quit)" ]; then
  echo "building $jar with $JAVA_HOME" >&2
  mvn -B -q -DskipTests package
fi
# shellcheck disable=SC2086 # CERTWRIGHT_JVM_OPTS (scripts/lib/jdk.sh) may hold several options
exec "$JAVA_HOME/bin/java" $CERTWRIGHT_JVM_OPTS -jar "$jar" "$@"
