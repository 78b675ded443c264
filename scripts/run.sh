#!/usr/bin/env bash
# Builds Certwright if needed and starts it on the embedded H2 database under ./data.
# Arguments are passed to the application, e.g. scripts/run.sh --server.port=9443
# On JDK 25 or newer the first start after a build also makes the JDK's AOT cache (one training run on a throw-away
# H2 database, scripts/lib/launch.sh), and every start uses it: about half the CPU work of a start (docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/jdk.sh

jar=target/certwright.jar
if [ ! -f "$jar" ] || [ -n "$(find pom.xml src templates -newer "$jar" -print -quit)" ]; then
  echo "building $jar with $JAVA_HOME" >&2
  mvn -B -q -DskipTests package
fi
. scripts/lib/launch.sh
certwright_aot_cache
certwright_launch_command
# shellcheck disable=SC2086 # CERTWRIGHT_JVM_OPTS (scripts/lib/jdk.sh) may hold several options
exec "$JAVA_HOME/bin/java" $CERTWRIGHT_JVM_OPTS "${CERTWRIGHT_LAUNCH[@]}" "$@"
