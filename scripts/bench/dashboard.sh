#!/usr/bin/env bash
# Dashboard server time at scale: Certwright on PostgreSQL with ROWS certificates (default 100,000) bulk-loaded, notAfter
# spread over the next 120 days and owners over 500 teams. Signs in through the form as a browser would, then times each
# page over one kept-alive connection (curl: time to first byte minus time to send, i.e. the server's time), REPEAT times
# after a warm-up. Prints p50, p95 and max in ms per page, and the goal (≤ 300 ms).
#
#   scripts/bench/dashboard.sh            (ROWS=100000 REPEAT=30 change the size and the sample)
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/jdk.sh
ROWS=${ROWS:-100000}
REPEAT=${REPEAT:-30}
PASSWORD=bench-dashboard-password-0123456789

for tool in psql curl python3; do command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }; done
. scripts/lib/jar.sh
scripts/lib/postgres.sh
work=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true
  PGPASSWORD=certwright psql -h 127.0.0.1 -U certwright -d postgres -qc "DROP DATABASE IF EXISTS cw_bench_dashboard WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
pg() { PGPASSWORD=certwright psql -h 127.0.0.1 -U certwright -qtA "$@"; }
pg -d postgres -c "DROP DATABASE IF EXISTS cw_bench_dashboard WITH (FORCE)" >/dev/null
pg -d postgres -c "CREATE DATABASE cw_bench_dashboard" >/dev/null

CERTWRIGHT_ADMIN_PASSWORD=$PASSWORD "$JAVA_HOME/bin/java" $CERTWRIGHT_JVM_OPTS -Xmx512m -jar target/certwright.jar --server.port=19443 --certwright.http-port=19080 \
  --certwright.data-dir="$work/data" --spring.datasource.url=jdbc:postgresql://127.0.0.1:5432/cw_bench_dashboard \
  --spring.datasource.username=certwright --spring.datasource.password=certwright > "$work/app.log" 2>&1 &
pid=$!
for _ in $(seq 1 120); do curl -sf http://127.0.0.1:19080/actuator/health >/dev/null && break; sleep 1; done
curl -sf http://127.0.0.1:19080/actuator/health >/dev/null || { tail -30 "$work/app.log" >&2; exit 1; }

# Bulk load, as an inventory of ROWS certificates issued here would look (no DER: the pages never read it).
t0=$(date +%s.%N)
pg -d cw_bench_dashboard <<SQL
INSERT INTO certificate (serial, issuer_dn, issuer_name, status, source, profile, subject, common_name, sans, key_algorithm, key_size,
                         not_before, not_after, fingerprint_sha256, owner, created_at, updated_at)
SELECT lpad(to_hex(g), 32, '0'), 'CN=Certwright Dev Issuing CA,O=Certwright Development', 'dev-issuing', 'ISSUED', 'ISSUED', 'tls-server',
       'CN=host-' || g || '.test', 'host-' || g || '.test', 'host-' || g || '.test', 'EC', 256, now() - interval '1 day',
       now() + (g % 120) * interval '1 day' + (g % 1440) * interval '1 minute', md5(g::text) || md5((g + 1)::text),
       'team-' || (g % 500), now(), now()
FROM generate_series(1, $ROWS) AS g;
INSERT INTO certificate_name (certificate_id, name) SELECT id, common_name FROM certificate WHERE owner LIKE 'team-%';
-- as autovacuum would leave an insert-only table: visibility map set, statistics current
VACUUM (ANALYZE) certificate;
VACUUM (ANALYZE) certificate_name;
SQL
load_s=$(python3 -c "import time; print(f'{time.time() - $t0:.1f}')")
rows=$(pg -d cw_bench_dashboard -c "select count(*) from certificate")
some_id=$(pg -d cw_bench_dashboard -c "select id from certificate where owner = 'team-42' order by id limit 1")

# Sign in through the form (CSRF token from the login page), keeping the session cookie.
jar="$work/cookies"
csrf=$(curl -sk -c "$jar" https://localhost:19443/login | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -1)
code=$(curl -sk -b "$jar" -c "$jar" -o /dev/null -w '%{http_code}' --data-urlencode "username=admin" --data-urlencode "password=$PASSWORD" \
  --data-urlencode "_csrf=$csrf" https://localhost:19443/login)
[ "$code" = 302 ] || { echo "sign-in answered $code" >&2; exit 1; }

pages=("/" "/certificates" "/certificates?expiringWithin=P30D&sort=notAfter" "/certificates?owner=team-42" "/certificates?q=host-4242"
       "/certificates?status=EXPIRED" "/certificates?page=1000" "/certificates/$some_id" "/managed" "/jobs")
echo "# $(date -u +%FT%TZ) $(nproc) cores, $("$JAVA_HOME/bin/java" -version 2>&1 | head -1) $CERTWRIGHT_JVM_OPTS, PostgreSQL $(pg -d postgres -c 'show server_version'), $rows certificates (bulk load ${load_s}s)"
printf '%-52s %8s %8s %8s %8s\n' "page (server time, ms)" p50 p95 max status
for page in "${pages[@]}"; do
  url="https://localhost:19443$page"
  args=()
  for _ in $(seq 1 $((REPEAT + 5))); do args+=(-o /dev/null "$url"); done
  # one connection, REPEAT + 5 requests; the first five warm up and are dropped
  curl -sk -b "$jar" -w '%{http_code} %{time_pretransfer} %{time_starttransfer}\n' "${args[@]}" | tail -n "$REPEAT" |
    python3 -c "
import sys
rows = [l.split() for l in sys.stdin if l.strip()]
codes = sorted({r[0] for r in rows})
ms = sorted((float(r[2]) - float(r[1])) * 1000 for r in rows)
p = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]
print(f'{\"$page\":<52} {p(0.5):8.1f} {p(0.95):8.1f} {ms[-1]:8.1f} {\",\".join(codes):>8}')
"
done
echo "goal: <= 300 ms server time per page at 100,000 certificates"
