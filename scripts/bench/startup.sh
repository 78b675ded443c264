#!/usr/bin/env bash
# Startup time: seconds from launching the JVM to the first 200 from GET /actuator/health on the plain-HTTP port (what
# the end-to-end tests wait on, src/test/java/dev/certwright/support/CertwrightProcess.java), median of RUNS starts,
# and the CPU seconds the JVM used until then (all its threads: a figure that other load on the machine barely moves).
#
#   scripts/bench/startup.sh                       H2: RUNS first starts (empty data dir: CA bootstrap, Flyway) and
#                                                  RUNS second starts, with no certificates
#   DB=pg scripts/bench/startup.sh                 the same on PostgreSQL (127.0.0.1:5432, a fresh database each run)
#   SIZE=1000000 scripts/bench/startup.sh          then fills the database to SIZE certificates (bulk SQL insert of
#                                                  plausible rows) and times RUNS more starts
#   LAUNCH=jar|extracted|aot                       how the JVM is started: java -jar (default: extracted+cache when
#                                                  scripts/run.sh's AOT cache exists, else -jar)
#   HTTPS_PORT, HTTP_PORT                          loopback ports (19543, 19180)
#   STEPS=1                                        after the last start, print the slowest Spring startup steps
#                                                  (BufferingApplicationStartup, /actuator/startup as ADMIN)
#
# Loopback only; every process and database it makes is removed on exit. Output: one line per start, then medians.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/jdk.sh
RUNS=${RUNS:-5}
SIZE=${SIZE:-0}
DB=${DB:-h2}
STEPS=${STEPS:-0}
TOKEN=bench-admin-token-0123456789abcdef
HTTPS=${HTTPS_PORT:-19543}
HTTP=${HTTP_PORT:-19180}
PGDB=cw_bench_startup
command -v curl >/dev/null || { echo "missing curl" >&2; exit 1; }
. scripts/lib/jar.sh
. scripts/lib/launch.sh
LAUNCH=${LAUNCH:-auto}
case $LAUNCH in
  jar) launch=(-jar target/certwright.jar) ;;
  extracted) certwright_launch_command && launch=("${CERTWRIGHT_LAUNCH[@]}") ;;
  aot | auto) certwright_aot_cache && certwright_launch_command && launch=("${CERTWRIGHT_LAUNCH[@]}") ;;
esac
[ "$DB" = pg ] && { command -v psql >/dev/null || { echo "missing psql" >&2; exit 1; }; scripts/lib/postgres.sh; }
work=$(mktemp -d)
pid=
pg() { PGPASSWORD=certwright psql -h 127.0.0.1 -U certwright -qtA "$@"; }
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null
  wait 2>/dev/null || true
  [ "$DB" = pg ] && pg -d postgres -c "DROP DATABASE IF EXISTS $PGDB WITH (FORCE)" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

fresh() { # a new, empty data dir (and database)
  rm -rf "$work/data"
  mkdir -p "$work/data"
  if [ "$DB" = pg ]; then
    pg -d postgres -c "DROP DATABASE IF EXISTS $PGDB WITH (FORCE)" >/dev/null
    pg -d postgres -c "CREATE DATABASE $PGDB" >/dev/null
  fi
}
db_args() {
  if [ "$DB" = pg ]; then
    echo "--spring.datasource.url=jdbc:postgresql://127.0.0.1:5432/$PGDB --spring.datasource.username=certwright --spring.datasource.password=certwright"
  fi
}
start() { # sets pid, started (seconds from launch to healthy) and cpu (CPU seconds the JVM used until then, all threads)
  local t0 t1
  t0=$EPOCHREALTIME
  # shellcheck disable=SC2046,SC2086 # word splitting intended
  CERTWRIGHT_ADMIN_TOKEN=$TOKEN "$JAVA_HOME/bin/java" $CERTWRIGHT_JVM_OPTS -Xmx512m "${launch[@]}" \
    --server.port=$HTTPS --certwright.http-port=$HTTP --certwright.data-dir="$work/data" \
    --certwright.ca-config=ca-config/dev.yml $(db_args) ${APP_ARGS:-} >>"$work/app.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 6000); do
    if curl -sf -o /dev/null --max-time 2 http://127.0.0.1:$HTTP/actuator/health; then
      t1=$EPOCHREALTIME
      started=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
      # utime + stime in clock ticks (fields 14, 15; the command name has no spaces: java)
      cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$pid/stat")
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  tail -40 "$work/app.log" >&2
  echo "Certwright did not become healthy" >&2
  exit 1
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=; }
median() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
steps() {
  curl -sfk -H "Authorization: Bearer $TOKEN" -X GET https://127.0.0.1:$HTTPS/actuator/startup -o "$work/steps.json" || {
    echo "(no /actuator/startup: start with STEPS=1)"
    return 0
  }
  python3 - "$work/steps.json" <<'PY'
import json, sys
from datetime import datetime
def t(s): return datetime.fromisoformat(s.replace("Z", "+00:00"))
events = json.load(open(sys.argv[1]))["timeline"]["events"]
rows = []
for e in events:
    step = e["startupStep"]
    tags = ",".join(f"{x['key']}={x['value']}" for x in step.get("tags", []) if x["key"] in ("beanName", "configurationClass"))
    rows.append(((t(e["endTime"]) - t(e["startTime"])).total_seconds(), step["name"], tags, step["id"], step.get("parentId")))
print("# slowest startup steps (s, name, bean); nested steps are included in their parents")
for d, name, tags, i, parent in sorted(rows, reverse=True)[:25]:
    print(f"{d:7.3f}  {name}  {tags[:100]}")
PY
}

fill() { # bulk-loads SIZE certificates (notAfter over the next 120 days, 500 owners, one SAN each), as inventory.sh does
  local t0=$EPOCHREALTIME
  if [ "$DB" = pg ]; then
    pg -d $PGDB >/dev/null <<SQL
INSERT INTO certificate (serial, issuer_dn, issuer_name, status, source, profile, subject, common_name, sans, key_algorithm, key_size,
                         not_before, not_after, fingerprint_sha256, owner, created_at, updated_at)
SELECT lpad(to_hex(g), 32, '0'), 'CN=Certwright Dev Issuing CA,O=Certwright Development', 'dev-issuing', 'ISSUED', 'ISSUED', 'tls-server',
       'CN=host-' || g || '.test', 'host-' || g || '.test', 'host-' || g || '.test', 'EC', 256, now() - interval '1 day',
       now() + (g % 120) * interval '1 day' + (g % 1440) * interval '1 minute', md5(g::text) || md5((g + 1)::text),
       'team-' || (g % 500), now() - interval '1 day', now() - interval '1 day'
FROM generate_series(1, $SIZE) AS g;
INSERT INTO certificate_name (certificate_id, name) SELECT id, common_name FROM certificate WHERE owner LIKE 'team-%';
UPDATE ocsp_presign_state SET last_id = (SELECT MAX(id) FROM certificate);
ANALYZE;
SQL
  else
    local h2 url
    h2=$(ls ~/.m2/repository/com/h2database/h2/*/h2-*.jar | grep -v sources | sort -V | tail -1)
    # "X": SYSTEM_RANGE's column, quoted because DATABASE_TO_LOWER folds an unquoted x to lower case
    url="jdbc:h2:file:$work/data/db/certwright;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH"
    cat >"$work/fill.sql" <<SQL
INSERT INTO certificate (serial, issuer_dn, issuer_name, status, source, profile, subject, common_name, sans, key_algorithm, key_size,
                         not_before, not_after, fingerprint_sha256, owner, created_at, updated_at)
SELECT LPAD(CAST("X" AS VARCHAR), 32, '0'), 'CN=Certwright Dev Issuing CA,O=Certwright Development', 'dev-issuing',
       'ISSUED', 'ISSUED', 'tls-server', 'CN=host-' || "X" || '.test', 'host-' || "X" || '.test', 'host-' || "X" || '.test', 'EC', 256,
       CURRENT_TIMESTAMP - INTERVAL '1' DAY,
       CURRENT_TIMESTAMP + (MOD("X", 120)) * INTERVAL '1' DAY + MOD("X", 1440) * INTERVAL '1' MINUTE,
       LOWER(RAWTOHEX(HASH('SHA-256', CAST("X" AS VARCHAR)))), 'team-' || MOD("X", 500),
       CURRENT_TIMESTAMP - INTERVAL '1' DAY, CURRENT_TIMESTAMP - INTERVAL '1' DAY
FROM SYSTEM_RANGE(1, $SIZE);
INSERT INTO certificate_name (certificate_id, name) SELECT id, common_name FROM certificate WHERE owner LIKE 'team-%';
UPDATE ocsp_presign_state SET last_id = (SELECT MAX(id) FROM certificate);
ANALYZE;
SQL
    "$JAVA_HOME/bin/java" -Xmx1g -cp "$h2" org.h2.tools.RunScript -url "$url" -user certwright -script "$work/fill.sql"
  fi
  echo "# filled $SIZE certificates in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }') s" >&2
}

[ "$STEPS" = 1 ] && export JAVA_TOOL_OPTIONS="${JAVA_TOOL_OPTIONS:-} -Dcertwright.startup-steps=10000" \
  && APP_ARGS="${APP_ARGS:-} --management.endpoints.web.exposure.include=health,info,prometheus,startup"
echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $("$JAVA_HOME/bin/java" -version 2>&1 | grep -v "^Picked up" | head -1)," \
  "$CERTWRIGHT_JVM_OPTS -Xmx512m, launch: ${launch[*]}, DB=$DB"
firsts=() seconds=() sized=() firsts_cpu=() seconds_cpu=() sized_cpu=()
for i in $(seq 1 "$RUNS"); do
  fresh
  start; firsts+=("$started"); firsts_cpu+=("$cpu"); stop
  start; seconds+=("$started"); seconds_cpu+=("$cpu")
  echo "run $i: first start ${firsts[-1]} s (cpu ${firsts_cpu[-1]} s), second start $started s (cpu $cpu s), load $(cut -d' ' -f1 /proc/loadavg)"
  [ "$i" = "$RUNS" ] && [ "$SIZE" = 0 ] && [ "$STEPS" = 1 ] && steps
  stop
done
echo "median of $RUNS: first start $(echo "${firsts[*]}" | median) s (cpu $(echo "${firsts_cpu[*]}" | median) s)," \
  "second start $(echo "${seconds[*]}" | median) s (cpu $(echo "${seconds_cpu[*]}" | median) s)"
if [ "$SIZE" != 0 ]; then
  fill
  for i in $(seq 1 "$RUNS"); do
    start; sized+=("$started"); sized_cpu+=("$cpu")
    echo "run $i at $SIZE certificates: $started s (cpu $cpu s), load $(cut -d' ' -f1 /proc/loadavg)"
    [ "$i" = "$RUNS" ] && [ "$STEPS" = 1 ] && steps
    stop
  done
  echo "median of $RUNS at $SIZE certificates: $(echo "${sized[*]}" | median) s (cpu $(echo "${sized_cpu[*]}" | median) s)"
fi
