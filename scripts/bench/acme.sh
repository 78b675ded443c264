#!/usr/bin/env bash
# ACME full-order latency and throughput: Certwright against Debian's pebble (PEBBLE_VA_NOSLEEP=1,
# PEBBLE_WFE_NONCEREJECT=0), the same acme4j load client (scripts/bench/AcmeLoad.java) against each, same machine, same
# run: new order, http-01 answered in-process, finalize, certificate download. Names resolve through
# pebble-challtestsrv for both. Prints one line per measure: ours, the peer's, and the ratio.
#
#   scripts/bench/acme.sh   (WORKERS=8 DURATION=20 WARMUP=10 change the load)
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/jdk.sh
export WORKERS=${WORKERS:-8} DURATION_SECONDS=${DURATION:-20} WARMUP=${WARMUP:-10}
TOKEN=bench-admin-token-0123456789abcdef

for tool in pebble pebble-challtestsrv openssl curl; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install pebble openssl curl" >&2; exit 1; }
done
[ -f target/certwright.jar ] || mvn -B -q -DskipTests package
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="${TMPDIR:-/tmp}/certwright-bench-classpath" >/dev/null 2>&1
classpath=$(cat "${TMPDIR:-/tmp}/certwright-bench-classpath")

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${KEEP_WORK:-}" ] && echo "kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT

pebble-challtestsrv -dns01 127.0.0.1:18053 -management 127.0.0.1:18055 -http01 "" -https01 "" -tlsalpn01 "" > "$work/challtestsrv.log" 2>&1 &
pids+=($!)
# Names answer 127.0.0.1 only: pebble tries an AAAA answer first, and the load client listens on 127.0.0.1.
for _ in $(seq 1 50); do curl -sf -X POST -d '{"ip":""}' http://127.0.0.1:18055/set-default-ipv6 >/dev/null && break; sleep 0.2; done

# --- Certwright ---
CERTWRIGHT_ADMIN_TOKEN=$TOKEN "$JAVA_HOME/bin/java" -Xmx512m -jar target/certwright.jar --server.port=18443 --certwright.http-port=18080 \
  --certwright.data-dir="$work/data" --certwright.acme.http01-port=15002 --certwright.acme.dns-resolver=127.0.0.1:18053 \
  --certwright.acme.orders-per-account=1000000 --certwright.acme.orders-per-identifier=1000000 > "$work/certwright.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do curl -sf http://127.0.0.1:18080/actuator/health >/dev/null && break; sleep 1; done
curl -sf http://127.0.0.1:18080/ca/dev-root.pem > "$work/root.pem"
ours=$(HTTP01_PORT=15002 "$JAVA_HOME/bin/java" -cp "$classpath" scripts/bench/AcmeLoad.java \
  https://localhost:18443/acme/directory "$work/root.pem" | grep '^RESULT')
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true; unset 'pids[-1]'

# --- pebble, with a TLS certificate of its own for localhost ---
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/pebble.key" -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -days 2 -out "$work/pebble.pem" 2>/dev/null
cat > "$work/pebble.json" <<JSON
{"pebble": {"listenAddress": "127.0.0.1:14000", "managementListenAddress": "127.0.0.1:15000",
  "certificate": "$work/pebble.pem", "privateKey": "$work/pebble.key", "httpPort": 15002, "tlsPort": 15001,
  "ocspResponderURL": "", "externalAccountBindingRequired": false}}
JSON
PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 PEBBLE_AUTHZREUSE=0 pebble -config "$work/pebble.json" -dnsserver 127.0.0.1:18053 \
  > "$work/pebble.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 60); do curl -sf --cacert "$work/pebble.pem" https://localhost:14000/dir >/dev/null && break; sleep 0.5; done
peer=$(HTTP01_PORT=15002 "$JAVA_HOME/bin/java" -cp "$classpath" scripts/bench/AcmeLoad.java \
  https://localhost:14000/dir "$work/pebble.pem" | grep '^RESULT')

field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$2"; }
echo "# $(date -u +%FT%TZ) $(nproc) cores, $("$JAVA_HOME/bin/java" -version 2>&1 | head -1), pebble $(dpkg-query -W -f='${Version}' pebble), acme4j, $WORKERS workers, ${DURATION_SECONDS}s after ${WARMUP}s warm-up"
printf '%-28s %12s %12s %8s\n' measure certwright pebble ratio
printf '%-28s %12s %12s %8s\n' "full orders/s" "$(field rps "$ours")" "$(field rps "$peer")" \
  "$(python3 -c "print(f'{$(field rps "$ours")/max($(field rps "$peer"),0.001):.2f}x')")"
printf '%-28s %12s %12s\n' "full order p50 ms" "$(field p50_ms "$ours")" "$(field p50_ms "$peer")"
printf '%-28s %12s %12s\n' "full order p99 ms" "$(field p99_ms "$ours")" "$(field p99_ms "$peer")"
printf '%-28s %12s %12s\n' "orders completed" "$(field orders "$ours")" "$(field orders "$peer")"
printf '%-28s %12s %12s\n' "errors" "$(field errors "$ours")" "$(field errors "$peer")"
