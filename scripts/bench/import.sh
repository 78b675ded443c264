#!/usr/bin/env bash
# Bulk import (issue 22, decision 74): one PEM bundle of a CA and $CERTS leaves, generated at run time (never kept),
# uploaded in one POST /api/v1/imports to the packaged server on H2 (DB=postgres for PostgreSQL) run with a $HEAP heap.
# Prints the wall time of the request, the report, and the heap: the peak occupancy before a collection from -Xlog:gc,
# and jcmd GC.heap_info after the import.
#
#   scripts/bench/import.sh   (CERTS=100000 HEAP=1g DB=h2|postgres)
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/jdk.sh
CERTS=${CERTS:-100000}
HEAP=${HEAP:-1g}
DB=${DB:-h2}
TOKEN=bench-admin-token-0123456789abcdef
HTTPS=18543
HTTP=18180
. scripts/lib/jar.sh

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "$DB" = postgres ]; then
    PGPASSWORD=certwright psql -h 127.0.0.1 -U certwright -qtA -d postgres -c "DROP DATABASE IF EXISTS cw_bench_import WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

bc=$(find ~/.m2/repository/org/bouncycastle -name '*-1.83.jar' | tr '\n' ':')
start=$(date +%s.%N)
"$JAVA_HOME/bin/java" -cp "$bc" scripts/bench/ImportCertificates.java "$CERTS" "$work/bundle.pem"
echo "generated $CERTS leaves and their CA in $(python3 -c "print(round($(date +%s.%N) - $start, 1))") s, $(stat -c %s "$work/bundle.pem") bytes"

db_args=()
if [ "$DB" = postgres ]; then
  scripts/lib/postgres.sh
  PGPASSWORD=certwright psql -h 127.0.0.1 -U certwright -qtA -d postgres -c "DROP DATABASE IF EXISTS cw_bench_import WITH (FORCE)" >/dev/null
  PGPASSWORD=certwright psql -h 127.0.0.1 -U certwright -qtA -d postgres -c "CREATE DATABASE cw_bench_import" >/dev/null
  db_args=(--spring.datasource.url=jdbc:postgresql://127.0.0.1:5432/cw_bench_import --spring.datasource.username=certwright --spring.datasource.password=certwright)
fi
CERTWRIGHT_ADMIN_TOKEN=$TOKEN "$JAVA_HOME/bin/java" ${CERTWRIGHT_JVM_OPTS:-} -Xmx"$HEAP" -Xlog:gc:file="$work/gc.log" -jar target/certwright.jar \
  --server.port=$HTTPS --certwright.http-port=$HTTP --certwright.data-dir="$work/data" "${db_args[@]}" > "$work/certwright.log" 2>&1 &
pid=$!
pids+=($pid)
for _ in $(seq 1 180); do curl -sf http://127.0.0.1:$HTTP/actuator/health >/dev/null && break; sleep 1; done
curl -sf http://127.0.0.1:$HTTP/actuator/health >/dev/null || { tail -30 "$work/certwright.log" >&2; exit 1; }

t0=$(date +%s.%N)
status=$(curl -sk -o "$work/report.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -F file=@"$work/bundle.pem" -F owner=bench \
  https://localhost:$HTTPS/api/v1/imports)
t1=$(date +%s.%N)
echo "POST /api/v1/imports: HTTP $status in $(python3 -c "print(round($t1 - $t0, 1))") s"
python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print('report: imported', r.get('imported'), 'alreadyKnown', r.get('alreadyKnown'), 'rejected', len(r.get('rejected', [])))" "$work/report.json" \
  || head -c 600 "$work/report.json"
"$JAVA_HOME/bin/jcmd" "$pid" GC.heap_info | sed -n '2,3p'
python3 - "$work/gc.log" <<'PY'
import re, sys
peak = 0
for line in open(sys.argv[1]):
    m = re.search(r'(\d+)M->(\d+)M\((\d+)M\)', line)
    if m:
        peak = max(peak, int(m.group(1)))
print(f"peak heap before a collection: {peak} MB")
PY
