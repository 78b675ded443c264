#!/usr/bin/env bash
# A/B of Certwright server options under the ACME load at one worker (no peer): for each argument, a fresh Certwright
# started with that argument added to its command line ("" for the defaults), WARM s of warm-up, DUR s measured, and
# the mean time per step of an order. Alternate the variants (A B A B): this machine varies between minutes. Words of a
# variant that start with -X are JVM options, which replace CERTWRIGHT_JVM_OPTS (scripts/lib/jdk.sh) when there are any.
#
#   scripts/bench/acme-ab.sh "" "--server.http2.enabled=false" "" "--server.http2.enabled=false"
#   scripts/bench/acme-ab.sh "-XX:+UseG1GC" "" "-XX:+UseG1GC" ""
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/jdk.sh
. scripts/lib/jar.sh
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="${TMPDIR:-/tmp}/certwright-bench-classpath" >/dev/null 2>&1
classpath=$(cat "${TMPDIR:-/tmp}/certwright-bench-classpath")
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
pebble-challtestsrv -dns01 127.0.0.1:18053 -management 127.0.0.1:18055 -http01 "" -https01 "" -tlsalpn01 "" > "$work/challtestsrv.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do curl -sf -X POST -d '{"ip":""}' http://127.0.0.1:18055/set-default-ipv6 >/dev/null && break; sleep 0.2; done
for variant in "$@"; do
  echo "== ${variant:-(defaults)}"
  rm -rf "$work/data"
  jvm=() app=()
  for word in $variant; do case $word in -X*) jvm+=("$word") ;; *) app+=("$word") ;; esac; done
  # shellcheck disable=SC2206 # CERTWRIGHT_JVM_OPTS may hold several options
  [ ${#jvm[@]} -gt 0 ] || jvm=($CERTWRIGHT_JVM_OPTS)
  CERTWRIGHT_ADMIN_TOKEN=bench-admin-token-0123456789abcdef "$JAVA_HOME/bin/java" "${jvm[@]}" -Xms512m -Xmx512m -jar target/certwright.jar \
    --server.port=18443 --certwright.http-port=18080 --certwright.data-dir="$work/data" --certwright.acme.http01-port=15002 \
    --certwright.acme.dns-resolver=127.0.0.1:18053 --certwright.acme.orders-per-account=1000000 \
    --certwright.acme.orders-per-identifier=1000000 "${app[@]}" > "$work/certwright.log" 2>&1 &
  srv=$!
  for _ in $(seq 1 120); do curl -sf http://127.0.0.1:18080/actuator/health >/dev/null && break; sleep 1; done
  curl -sf http://127.0.0.1:18080/ca/dev-root.pem > "$work/root.pem"
  STEPS=1 SERVER_PID=$srv WORKERS=1 WARMUP=${WARM:-60} DURATION_SECONDS=${DUR:-30} HTTP01_PORT=15002 "$JAVA_HOME/bin/java" -cp "$classpath" \
    scripts/bench/AcmeLoad.java https://localhost:18443/acme/directory "$work/root.pem" | grep -E '^(RESULT|STEPS)' || true
  kill "$srv"; wait "$srv" 2>/dev/null || true
done
