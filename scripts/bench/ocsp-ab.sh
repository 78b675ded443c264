#!/usr/bin/env bash
# A/B of two Certwright builds or JVM option sets under the OCSP GET load of ocsp.sh (no peer): both run side by side,
# each with one certificate, and wrk alternates between them, ROUNDS rounds of SECS seconds each after 30 s of warm-up
# each. One line per run; compare A and B within a round (this machine's speed varies between minutes).
#
#   JAR_A=/tmp/old/target/certwright.jar scripts/bench/ocsp-ab.sh "" ""          two builds, same options
#   scripts/bench/ocsp-ab.sh "" "-Xms512m"                                       one build, two option sets
#   (ROUNDS=5 SECS=10 CONNECTIONS=32 THREADS=1 by default; JAR_A and JAR_B default to target/certwright.jar)
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/jdk.sh
ROUNDS=${ROUNDS:-5}
SECS=${SECS:-10}
TOKEN=bench-admin-token-0123456789abcdef
[ -n "${JAR_A:-}" ] && [ -n "${JAR_B:-}" ] || . scripts/lib/jar.sh
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
. scripts/bench/ocsp-lib.sh

JAVA_OPTS=$1 start_certwright "$work/a" 18443 18080 "${JAR_A:-target/certwright.jar}"
JAVA_OPTS=$2 start_certwright "$work/b" 18453 18090 "${JAR_B:-target/certwright.jar}"
url_a=$(ocsp_url "$work/a" 18443 18080)
url_b=$(ocsp_url "$work/b" 18453 18090)
wrk_run "$url_a" 30s >/dev/null
wrk_run "$url_b" 30s >/dev/null
echo "# $(date -u +%FT%TZ) $(nproc) cores, wrk -t${THREADS:-1} -c${CONNECTIONS:-32}, $ROUNDS rounds of ${SECS}s"
echo "# A: ${JAR_A:-target/certwright.jar} ${1:-(no options)}"
echo "# B: ${JAR_B:-target/certwright.jar} ${2:-(no options)}"
for i in $(seq 1 "$ROUNDS"); do
  echo "round $i A $(wrk_run "$url_a" "${SECS}s")"
  echo "round $i B $(wrk_run "$url_b" "${SECS}s")"
done
