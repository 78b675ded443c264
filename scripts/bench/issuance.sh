#!/usr/bin/env bash
# Issuance throughput: Certwright's POST /api/v1/certificates against cfssl serve's /api/v1/cfssl/sign (Debian
# golang-cfssl), same P-256 CSR, same wrk load, same machine, both signing with a P-256 intermediate and both storing
# every certificate in the same local PostgreSQL. Certwright is also measured on its embedded H2 default.
# Prints one line per measure: ours, the peer's, and the ratio.
#
#   scripts/bench/issuance.sh   (DURATION=20s CONNECTIONS=16 THREADS=2 WARMUP=180s change the load; the JVM reaches
#   steady state after about three minutes of load on two cores, so the first minute is reported too; JAR=path measures
#   another build, e.g. one from before a change. The per-token issuance limit (decision 48) is lifted: one token here
#   issues far more than any service would)
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/jdk.sh
DURATION=${DURATION:-20s}
WARMUP=${WARMUP:-180s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
TOKEN=bench-admin-token-0123456789abcdef

for tool in wrk cfssl openssl psql curl; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install wrk golang-cfssl openssl postgresql-client curl" >&2; exit 1; }
done
. scripts/lib/jar.sh
scripts/lib/postgres.sh

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for db in cw_bench_ours cw_bench_cfssl; do PGPASSWORD=certwright psql -h 127.0.0.1 -U certwright -d postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT
pg() { PGPASSWORD=certwright psql -h 127.0.0.1 -U certwright -qtA "$@"; }
for db in cw_bench_ours cw_bench_cfssl; do pg -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null; pg -d postgres -c "CREATE DATABASE $db" >/dev/null; done

# The CSR both servers sign: P-256, one DNS name inside Certwright's dev policy.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/leaf.key" -subj "/CN=bench.test" \
  -addext "subjectAltName=DNS:bench.test" -out "$work/leaf.csr" 2>/dev/null
python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
csr = open(w + "/leaf.csr").read()
json.dump({"csr": csr, "profile": "tls-server", "owner": "bench"}, open(w + "/ours.json", "w"))
json.dump({"certificate_request": csr, "profile": "server"}, open(w + "/cfssl.json", "w"))
PY

# cfssl: a P-256 root and intermediate made with openssl; cfssl signs with the intermediate and stores in PostgreSQL.
openssl ecparam -name prime256v1 -genkey -noout -out "$work/root.key"
openssl req -x509 -new -key "$work/root.key" -subj "/CN=cfssl bench root" -days 3650 -out "$work/root.pem" 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out "$work/int.key"
openssl req -new -key "$work/int.key" -subj "/CN=cfssl bench issuing" -out "$work/int.csr" 2>/dev/null
printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n' > "$work/int.ext"
openssl x509 -req -in "$work/int.csr" -CA "$work/root.pem" -CAkey "$work/root.key" -CAcreateserial -days 1825 -extfile "$work/int.ext" -out "$work/int.pem" 2>/dev/null
cat > "$work/cfssl-config.json" <<'JSON'
{"signing": {"default": {"expiry": "2160h", "usages": ["digital signature", "server auth"]},
             "profiles": {"server": {"expiry": "2160h", "usages": ["digital signature", "server auth"]}}}}
JSON
pg -d cw_bench_cfssl >/dev/null <<'SQL'
CREATE TABLE certificates (
  serial_number bytea NOT NULL, authority_key_identifier bytea NOT NULL, ca_label bytea, status bytea NOT NULL,
  reason int, expiry timestamptz, revoked_at timestamptz, pem bytea NOT NULL,
  PRIMARY KEY (serial_number, authority_key_identifier));
CREATE TABLE ocsp_responses (
  serial_number bytea NOT NULL, authority_key_identifier bytea NOT NULL, body bytea NOT NULL, expiry timestamptz,
  PRIMARY KEY (serial_number, authority_key_identifier));
SQL
echo '{"driver":"postgres","data_source":"postgres://certwright:certwright@127.0.0.1:5432/cw_bench_cfssl?sslmode=disable"}' > "$work/cfssl-db.json"
cfssl serve -address 127.0.0.1 -port 18888 -ca "$work/int.pem" -ca-key "$work/int.key" -config "$work/cfssl-config.json" \
  -db-config "$work/cfssl-db.json" -loglevel 3 > "$work/cfssl.log" 2>&1 &
pids+=($!)

start_certwright() { # name, extra args...
  local name=$1; shift
  CERTWRIGHT_ADMIN_TOKEN=$TOKEN "$JAVA_HOME/bin/java" $CERTWRIGHT_JVM_OPTS -Xmx512m -jar "${JAR:-target/certwright.jar}" --server.port=18443 --certwright.http-port=18080 \
    --certwright.data-dir="$work/$name" --certwright.api.issuance-limit.per-token=100000000 "$@" > "$work/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 120); do curl -sf http://127.0.0.1:18080/actuator/health >/dev/null && return 0; sleep 1; done
  echo "Certwright did not start; see $work/$name.log" >&2; tail -20 "$work/$name.log" >&2; exit 1
}
stop_last() { kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true; unset 'pids[-1]'; }

load() { # url body token duration -> RESULT line
  BODY_FILE=$2 TOKEN=$3 wrk -t"$THREADS" -c"$CONNECTIONS" -d"$4" --timeout 10s --latency -s scripts/bench/issue.lua "$1" | grep '^RESULT'
}
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$2"; }

for _ in $(seq 1 30); do curl -sf -o /dev/null -X POST -d @"$work/cfssl.json" http://127.0.0.1:18888/api/v1/cfssl/sign && break; sleep 0.5; done
curl -s -X POST -d @"$work/cfssl.json" http://127.0.0.1:18888/api/v1/cfssl/sign | grep -q '"success":true' || { echo "cfssl does not sign" >&2; cat "$work/cfssl.log" >&2; exit 1; }
cfssl_cold=$(load http://127.0.0.1:18888/api/v1/cfssl/sign "$work/cfssl.json" "" 60s)
load http://127.0.0.1:18888/api/v1/cfssl/sign "$work/cfssl.json" "" "$WARMUP" >/dev/null
cfssl_result=$(load http://127.0.0.1:18888/api/v1/cfssl/sign "$work/cfssl.json" "" "$DURATION")
cfssl_rows=$(pg -d cw_bench_cfssl -c "select count(*) from certificates")

results=()
colds=()
for db in postgres h2; do
  if [ "$db" = postgres ]; then
    start_certwright ours-pg --spring.datasource.url=jdbc:postgresql://127.0.0.1:5432/cw_bench_ours \
      --spring.datasource.username=certwright --spring.datasource.password=certwright
  else
    start_certwright ours-h2
  fi
  code=$(curl -sk -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d @"$work/ours.json" https://localhost:18443/api/v1/certificates)
  [ "$code" = 201 ] || { echo "Certwright answered $code" >&2; exit 1; }
  colds+=("$db|$(load https://localhost:18443/api/v1/certificates "$work/ours.json" "$TOKEN" 60s)")
  load https://localhost:18443/api/v1/certificates "$work/ours.json" "$TOKEN" "$WARMUP" >/dev/null
  results+=("$db|$(load https://localhost:18443/api/v1/certificates "$work/ours.json" "$TOKEN" "$DURATION")")
  [ "$db" = postgres ] && ours_rows=$(pg -d cw_bench_ours -c "select count(*) from certificate where owner='bench' and status='ISSUED'")
  stop_last
done

echo "# $(date -u +%FT%TZ) $(nproc) cores, $("$JAVA_HOME/bin/java" -version 2>&1 | head -1) $CERTWRIGHT_JVM_OPTS, wrk -t$THREADS -c$CONNECTIONS -d$DURATION (after 60s cold + $WARMUP warm-up)"
printf '%-34s %12s %12s %8s\n' measure certwright cfssl ratio
c_rps=$(field rps "$cfssl_result")
for r in "${results[@]}"; do
  db=${r%%|*}; line=${r#*|}
  o_rps=$(field rps "$line")
  printf '%-34s %12s %12s %8s\n' "issuance req/s (ours on $db)" "$o_rps" "$c_rps" "$(python3 -c "print(f'{$o_rps/$c_rps:.2f}x')")"
  printf '%-34s %12s %12s\n' "issuance p50 ms (ours on $db)" "$(field p50_ms "$line")" "$(field p50_ms "$cfssl_result")"
  printf '%-34s %12s %12s\n' "issuance p99 ms (ours on $db)" "$(field p99_ms "$line")" "$(field p99_ms "$cfssl_result")"
  printf '%-34s %12s %12s\n' "errors (ours on $db)" "$(field errors "$line")" "$(field errors "$cfssl_result")"
done
c_cold=$(field rps "$cfssl_cold")
for r in "${colds[@]}"; do
  db=${r%%|*}; line=${r#*|}
  o_rps=$(field rps "$line")
  printf '%-34s %12s %12s %8s\n' "cold first minute req/s ($db)" "$o_rps" "$c_cold" "$(python3 -c "print(f'{$o_rps/$c_cold:.2f}x')")"
done
echo "rows stored in PostgreSQL: certwright $ours_rows, cfssl $cfssl_rows"
