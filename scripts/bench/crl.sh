#!/usr/bin/env bash
# CRL generation with 1,000,000 revoked certificates: Certwright (PostgreSQL, run with a 256 MB heap) against
# `openssl ca -gencrl` on an equivalent index.txt, same machine, same run. Both sign with a P-256 key and SHA-256.
# Certwright's time is its own log line for the full CRL: read the entries from PostgreSQL, encode, sign, store.
# Prints one line per measure: ours, the peer's, and the ratio.
#
#   scripts/bench/crl.sh   (ENTRIES=1000000 HEAP=256m change the size)
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/jdk.sh
ENTRIES=${ENTRIES:-1000000}
HEAP=${HEAP:-256m}
TOKEN=bench-admin-token-0123456789abcdef
HTTPS=18443
HTTP=18080

for tool in openssl psql curl python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install openssl postgresql-client curl" >&2; exit 1; }
done
. scripts/lib/jar.sh
scripts/lib/postgres.sh

work=$(mktemp -d)
pids=()
pg() { PGPASSWORD=certwright psql -h 127.0.0.1 -U certwright -qtA "$@"; }
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pg -d postgres -c "DROP DATABASE IF EXISTS cw_bench_crl WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
pg -d postgres -c "DROP DATABASE IF EXISTS cw_bench_crl WITH (FORCE)" >/dev/null
pg -d postgres -c "CREATE DATABASE cw_bench_crl" >/dev/null

# --- Certwright ---
CERTWRIGHT_ADMIN_TOKEN=$TOKEN "$JAVA_HOME/bin/java" $CERTWRIGHT_JVM_OPTS -Xmx"$HEAP" -Xlog:gc:file="$work/gc.log" -jar target/certwright.jar \
  --server.port=$HTTPS --certwright.http-port=$HTTP --certwright.data-dir="$work/data" \
  --spring.datasource.url=jdbc:postgresql://127.0.0.1:5432/cw_bench_crl --spring.datasource.username=certwright \
  --spring.datasource.password=certwright --certwright.crl.publish-delay=PT3S --certwright.ocsp.presign-interval=PT1H \
  > "$work/certwright.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do curl -sf http://127.0.0.1:$HTTP/actuator/health >/dev/null && break; sleep 1; done
for _ in $(seq 1 60); do grep -q 'published full CRL .* of dev-issuing' "$work/certwright.log" && break; sleep 1; done

# $ENTRIES revoked certificates of dev-issuing, bulk-loaded, then the issuer's revocation revision moves on: the CRL job
# sees it within a few seconds and publishes.
dn=$(pg -d cw_bench_crl -c "SELECT issuer_dn FROM certificate WHERE issuer_name = 'dev-issuing' AND source <> 'CA' LIMIT 1")
pg -d cw_bench_crl -v dn="$dn" -v n="$ENTRIES" >/dev/null <<'SQL'
INSERT INTO certificate (serial, issuer_dn, issuer_name, status, source, profile, sans, owner, not_before, not_after,
                         created_at, updated_at, revoked_at, revocation_reason, revoked_by, revocation_revision)
SELECT substr(md5(i::text), 1, 32), :'dn', 'dev-issuing', 'REVOKED', 'ISSUED', 'tls-server', '', 'bench',
       now() - interval '1 day', now() + interval '80 days', now(), now(), now() - make_interval(secs => i),
       (ARRAY['unspecified', 'keyCompromise', 'superseded', 'cessationOfOperation', 'affiliationChanged'])[1 + i % 5], 'bench', 1
FROM generate_series(1, :n) AS i;
SQL
pg -d cw_bench_crl -c "INSERT INTO issuer_revocation (issuer_name, revision) VALUES ('dev-issuing', 1) ON CONFLICT (issuer_name) DO UPDATE SET revision = issuer_revocation.revision + 1" >/dev/null
line=""
for _ in $(seq 1 300); do
  line=$(grep -E "published full CRL [0-9]+ of dev-issuing: $ENTRIES entries" "$work/certwright.log" | tail -1 || true)
  [ -n "$line" ] && break
  sleep 1
done
[ -n "$line" ] || { echo "Certwright did not publish the CRL" >&2; tail -30 "$work/certwright.log" >&2; exit 1; }
ours_ms=$(sed -n 's/.*(\([0-9]*\) ms;.*/\1/p' <<<"$line")
ours_read_ms=$(sed -n 's/.*encoded in \([0-9]*\) ms).*/\1/p' <<<"$line")
ours_bytes=$(sed -n 's/.* entries, \([0-9]*\) bytes.*/\1/p' <<<"$line")
# The CRL as served verifies with openssl, and holds every entry.
curl -sf -o "$work/ours.crl" http://127.0.0.1:$HTTP/crl/dev-issuing.crl
curl -sf http://127.0.0.1:$HTTP/ca/dev-issuing.pem > "$work/issuing.pem"
curl -sf http://127.0.0.1:$HTTP/ca/dev-root.pem >> "$work/issuing.pem"
openssl crl -inform DER -in "$work/ours.crl" -CAfile "$work/issuing.pem" -noout -verify 2>&1 | grep -q 'verify OK' \
  || { echo "our CRL does not verify" >&2; exit 1; }
ours_count=$(openssl crl -inform DER -in "$work/ours.crl" -noout -text | grep -c 'Serial Number:')
# Peak heap: the largest heap occupancy before a collection, over the whole run (-Xlog:gc).
ours_heap=$(python3 - "$work/gc.log" <<'PY'
import re, sys
peak = 0
for line in open(sys.argv[1]):
    m = re.search(r'(\d+)M->(\d+)M\((\d+)M\)', line)
    if m:
        peak = max(peak, int(m.group(1)))
print(peak)
PY
)
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true; unset 'pids[-1]'

# --- openssl ca -gencrl, on an index.txt with the same entries ---
mkdir -p "$work/openssl"
cd "$work/openssl"
openssl ecparam -name prime256v1 -genkey -noout -out ca.key
openssl req -x509 -new -key ca.key -subj "/CN=openssl bench CA" -days 30 -out ca.pem 2>/dev/null
python3 - "$ENTRIES" <<'PY'
import datetime, hashlib, sys
n = int(sys.argv[1])
now = datetime.datetime.now(datetime.timezone.utc)
expiry = (now + datetime.timedelta(days=80)).strftime('%y%m%d%H%M%SZ')
reasons = ['unspecified', 'keyCompromise', 'superseded', 'cessationOfOperation', 'affiliationChanged']
with open('index.txt', 'w') as f:
    for i in range(1, n + 1):
        serial = hashlib.md5(str(i).encode()).hexdigest()[:32].upper()
        revoked = (now - datetime.timedelta(seconds=i)).strftime('%y%m%d%H%M%SZ')
        f.write(f"R\t{expiry}\t{revoked},{reasons[i % 5]}\t{serial}\tunknown\t/CN=bench{i}\n")
open('index.txt.attr', 'w').write('unique_subject = no\n')
open('crlnumber', 'w').write('01\n')
PY
cat > ca.cnf <<'CNF'
[ ca ]
default_ca = bench
[ bench ]
database = index.txt
crlnumber = crlnumber
default_md = sha256
default_crl_days = 7
crl_extensions = crl_ext
[ crl_ext ]
authorityKeyIdentifier = keyid:always
CNF
peer=$(python3 - <<'PY'
import resource, subprocess, time
start = time.monotonic()
subprocess.run(["openssl", "ca", "-gencrl", "-config", "ca.cnf", "-keyfile", "ca.key", "-cert", "ca.pem", "-out", "crl.pem"],
               check=True, stderr=subprocess.DEVNULL)
elapsed = time.monotonic() - start
print(int(elapsed * 1000), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
PY
)
peer_ms=${peer% *}
peer_rss=${peer#* }
peer_count=$(openssl crl -in crl.pem -noout -text | grep -c 'Serial Number:')
peer_bytes=$(openssl crl -in crl.pem -outform DER | wc -c)
cd - >/dev/null

echo "# $(date -u +%FT%TZ) $(nproc) cores, $("$JAVA_HOME/bin/java" -version 2>&1 | head -1) $CERTWRIGHT_JVM_OPTS -Xmx$HEAP, $(openssl version | cut -d' ' -f1-2), $ENTRIES revoked entries"
printf '%-34s %12s %12s %8s\n' measure certwright openssl ratio
printf '%-34s %12s %12s %8s\n' "full CRL time ms" "$ours_ms" "$peer_ms" "$(python3 -c "print(f'{$ours_ms/$peer_ms:.2f}x')")"
printf '%-34s %12s %12s\n' "  of which read and encoded ms" "$ours_read_ms" "-"
printf '%-34s %12s %12s\n' "peak heap MB (ours) / max RSS MB" "$ours_heap" "$peer_rss"
printf '%-34s %12s %12s\n' "entries in the CRL" "$ours_count" "$peer_count"
printf '%-34s %12s %12s\n' "CRL size bytes (DER)" "$ours_bytes" "$peer_bytes"
