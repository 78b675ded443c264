#!/usr/bin/env bash
# Makes the JDK's AOT cache for target/certwright.jar (JDK 25 or newer; nothing on an older JDK), as scripts/run.sh
# does on its first start after a build: for the end-to-end tests (CertwrightProcess uses the cache when it matches
# the jar) and benchmarks. Never fails the caller: without a cache the server starts as before, only slower.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/jdk.sh
[ -f target/certwright.jar ] || { echo "target/certwright.jar is missing: mvn package first" >&2; exit 0; }
. scripts/lib/launch.sh
certwright_aot_cache
exit 0
