#!/usr/bin/env bash
# Inventory at scale on PostgreSQL: for each size in SIZES (default "1000000"; add 10000000 for the 10M run, which needs
# about 8 GB of disk and a quarter of an hour), bulk-load that many certificates (notAfter over the next 120 days, 500
# owners, one SAN each), restart Certwright and time its startup, then load three reads with wrk (one connection, so that
# the figures are latency, not a queue): the API's "expiring within 30 days" page, search by owner, and the dashboard's
# overview counts. Prints p50 and p99 per read and the startup time per size, beside the empty database's startup, and
# the notice job's mean and longest run during the reads (its last column is the number of runs, not errors), with
# every certificate inside a threshold already noticed, as in a running installation.
#
#   scripts/bench/inventory.sh            (SIZES="1000000 10000000" DURATION=20s)
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/jdk.sh
SIZES=${SIZES:-1000000}
DURATION=${DURATION:-20s}
TOKEN=bench-admin-token-0123456789abcdef
PASSWORD=bench-dashboard-password-0123456789

for tool in psql curl wrk python3; do command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }; done
. scripts/lib/jar.sh
scripts/lib/postgres.sh
work=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true
  PGPASSWORD=certwright psql -h 127.0.0.1 -U certwright -d postgres -qc "DROP DATABASE IF EXISTS cw_bench_inventory WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
pg() { PGPASSWORD=certwright psql -h 127.0.0.1 -U certwright -qtA "$@"; }

start() { # sets pid, and started: the seconds from launch to healthy
  local t0; t0=$(date +%s.%N)
  CERTWRIGHT_ADMIN_TOKEN=$TOKEN CERTWRIGHT_ADMIN_PASSWORD=$PASSWORD "$JAVA_HOME/bin/java" $CERTWRIGHT_JVM_OPTS -Xmx512m -jar target/certwright.jar \
    --server.port=19443 --certwright.http-port=19080 --certwright.data-dir="$work/data" \
    --spring.datasource.url=jdbc:postgresql://127.0.0.1:5432/cw_bench_inventory --spring.datasource.username=certwright \
    --spring.datasource.password=certwright --certwright.notify.scan-interval=PT30S >> "$work/app.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 600); do curl -sf http://127.0.0.1:19080/actuator/health >/dev/null && break; sleep 0.2; done
  curl -sf http://127.0.0.1:19080/actuator/health >/dev/null || { tail -30 "$work/app.log" >&2; exit 1; }
  started=$(python3 -c "import time; print(f'{time.time() - $t0:.1f}')")
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=; }
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$2"; }

pg -d postgres -c "DROP DATABASE IF EXISTS cw_bench_inventory WITH (FORCE)" >/dev/null
pg -d postgres -c "CREATE DATABASE cw_bench_inventory" >/dev/null
start   # migrations run here, so the first start is not counted as "empty"
stop
start
empty_start=$started
stop

echo "# $(date -u +%FT%TZ) $(nproc) cores, $("$JAVA_HOME/bin/java" -version 2>&1 | head -1) $CERTWRIGHT_JVM_OPTS, -Xmx512m, PostgreSQL $(pg -d postgres -c 'show server_version'), wrk -t1 -c1 -d$DURATION"
printf '%-44s %10s %10s %10s %10s\n' "measure" rows p50_ms p99_ms errors
printf '%-44s %10s %10s\n' "startup to healthy, s" 0 "$empty_start"
loaded=0
for size in $SIZES; do
  t0=$(date +%s.%N)
  pg -d cw_bench_inventory >/dev/null <<SQL
INSERT INTO certificate (serial, issuer_dn, issuer_name, status, source, profile, subject, common_name, sans, key_algorithm, key_size,
                         not_before, not_after, fingerprint_sha256, owner, created_at, updated_at)
SELECT lpad(to_hex(g), 32, '0'), 'CN=Certwright Dev Issuing CA,O=Certwright Development', 'dev-issuing', 'ISSUED', 'ISSUED', 'tls-server',
       'CN=host-' || g || '.test', 'host-' || g || '.test', 'host-' || g || '.test', 'EC', 256, now() - interval '1 day',
       now() + (g % 120) * interval '1 day' + (g % 1440) * interval '1 minute', md5(g::text) || md5((g + 1)::text),
       'team-' || (g % 500), now() - interval '1 day', now() - interval '1 day'
FROM generate_series($loaded + 1, $size) AS g;
INSERT INTO certificate_name (certificate_id, name)
SELECT id, common_name FROM certificate WHERE owner LIKE 'team-%' AND id > (SELECT COALESCE(MAX(certificate_id), 0) FROM certificate_name);
-- Steady state: the pre-signing job has signed an OCSP response for every row already (it would otherwise spend the
-- measured minutes signing ROWS responses in the background, which a real inventory did as the rows arrived).
UPDATE ocsp_presign_state SET last_id = (SELECT MAX(id) FROM certificate);
-- Steady state for the notice job: every certificate inside a threshold has had its notice (as the scan records them:
-- the smallest threshold crossed, the larger ones skipped), and each threshold's last scan ended just now.
INSERT INTO notice (certificate_id, event, threshold, channel, target, status, created_at)
SELECT c.id, 'certificate.expiring', t.threshold, 'none', '', 'skipped', now()
FROM certificate c JOIN (VALUES ('P1D', interval '1 day'), ('P7D', interval '7 days'), ('P14D', interval '14 days'),
                                ('P30D', interval '30 days')) AS t (threshold, within) ON c.not_after <= now() + t.within
WHERE c.id > $loaded;
DELETE FROM notice_scan;
INSERT INTO notice_scan (threshold, mark, since, pass_cursor, pass_started)
SELECT t, now() + CAST(t AS interval), now() - interval '10 minutes', NULL, now() FROM (VALUES ('P1D'), ('P7D'), ('P14D'), ('P30D')) AS v (t);
-- as autovacuum would leave an insert-only table: visibility map set, statistics current
VACUUM (ANALYZE) certificate;
VACUUM (ANALYZE) notice;
VACUUM (ANALYZE) certificate_name;
SQL
  loaded=$size
  load_s=$(python3 -c "import time; print(f'{time.time() - $t0:.0f}')")
  rows=$(pg -d cw_bench_inventory -c "select count(*) from certificate")
  start
  printf '%-44s %10s %10s %s\n' "startup to healthy, s" "$rows" "$started" "(bulk load ${load_s}s)"
  # the dashboard's session, for the overview
  jar="$work/cookies"; rm -f "$jar"
  csrf=$(curl -sk -c "$jar" https://localhost:19443/login | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -1)
  curl -sk -b "$jar" -c "$jar" -o /dev/null --data-urlencode "username=admin" --data-urlencode "password=$PASSWORD" \
    --data-urlencode "_csrf=$csrf" https://localhost:19443/login
  session=$(sed -n 's/.*JSESSIONID\t\(.*\)$/\1/p' "$jar")
  for read in "api expiring within 30 days|/api/v1/certificates?expiringWithin=P30D&sort=notAfter&size=50|token" \
              "api search by owner|/api/v1/certificates?owner=team-42&size=50|token" \
              "dashboard overview counts|/|session"; do
    IFS='|' read -r label path auth <<<"$read"
    if [ "$auth" = token ]; then
      TOKEN=$TOKEN wrk -t1 -c1 -d5s -s scripts/bench/token-get.lua "https://localhost:19443$path" >/dev/null
      line=$(TOKEN=$TOKEN wrk -t1 -c1 -d"$DURATION" --timeout 10s --latency -s scripts/bench/token-get.lua "https://localhost:19443$path" | grep '^RESULT')
    else
      wrk -t1 -c1 -d5s -H "Cookie: JSESSIONID=$session" -s scripts/bench/get.lua "https://localhost:19443$path" >/dev/null
      line=$(wrk -t1 -c1 -d"$DURATION" --timeout 10s --latency -H "Cookie: JSESSIONID=$session" -s scripts/bench/get.lua "https://localhost:19443$path" | grep '^RESULT')
    fi
    printf '%-44s %10s %10s %10s %10s\n' "$label" "$rows" "$(field p50_ms "$line")" "$(field p99_ms "$line")" "$(field errors "$line")"
  done
  # The notice job (every 30 s here; expiry scan of four thresholds, then delivery) ran during the reads.
  metrics=$(curl -sk -H "Authorization: Bearer $TOKEN" https://localhost:19443/actuator/prometheus | grep 'job="notices",outcome="success"')
  python3 - "$rows" <<PY
import re, sys
m = {k: float(v) for k, v in re.findall(r'certwright_job_duration_seconds_(count|sum|max)\{[^}]*\} (\S+)', """$metrics""")}
n = int(m.get("count", 0))
print(f"{'notice job runs, mean / max ms':<44} {sys.argv[1]:>10} {1000 * m.get('sum', 0) / max(n, 1):>10.1f} {1000 * m.get('max', 0):>10.1f} {n:>10}")
PY
  stop
done
echo "goals: p99 <= 100 ms; startup not growing with rows"
