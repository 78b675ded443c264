#!/usr/bin/env bash
# OCSP throughput: Certwright's pre-signed GET /ocsp/{request} against nginx serving the very same response bytes as a
# static file, same wrk load, same machine, in the same run (RFC 5019: a pre-signed response is a static object, so a
# static-file server is the ceiling). Prints one line per measure: ours, the peer's, and the ratio.
#
#   scripts/bench/ocsp.sh   (DURATION=20s WARMUP=30s CONNECTIONS=32 THREADS=1 change the load; JAVA_OPTS adds JVM options)
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/jdk.sh
DURATION=${DURATION:-20s}
WARMUP=${WARMUP:-30s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-1}
TOKEN=bench-admin-token-0123456789abcdef
HTTPS=18443
HTTP=18080
NGINX=18081

for tool in wrk nginx openssl curl python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install wrk nginx openssl curl" >&2; exit 1; }
done
. scripts/lib/jar.sh

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# shellcheck disable=SC2086 # JAVA_OPTS may hold several options (e.g. -Xlog:gc:file=/tmp/gc.log)
CERTWRIGHT_ADMIN_TOKEN=$TOKEN "$JAVA_HOME/bin/java" -Xmx512m ${JAVA_OPTS:-} -jar target/certwright.jar --server.port=$HTTPS --certwright.http-port=$HTTP \
  --certwright.data-dir="$work/data" > "$work/certwright.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do curl -sf http://127.0.0.1:$HTTP/actuator/health >/dev/null && break; sleep 1; done
curl -sf http://127.0.0.1:$HTTP/actuator/health >/dev/null || { echo "Certwright did not start" >&2; tail -20 "$work/certwright.log" >&2; exit 1; }

# One certificate, and its RFC 5019 request (SHA-1 CertID, no nonce).
curl -sf http://127.0.0.1:$HTTP/ca/dev-issuing.pem > "$work/issuing.pem"
curl -sf http://127.0.0.1:$HTTP/ca/dev-root.pem > "$work/root.pem"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/leaf.key" -subj /CN=ocsp-bench.test \
  -addext subjectAltName=DNS:ocsp-bench.test -out "$work/leaf.csr" 2>/dev/null
python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
json.dump({"csr": open(w + "/leaf.csr").read(), "profile": "tls-server", "owner": "bench"}, open(w + "/issue.json", "w"))
PY
curl -sf --cacert "$work/root.pem" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d @"$work/issue.json" \
  https://localhost:$HTTPS/api/v1/certificates | python3 -c 'import json,sys; print(json.load(sys.stdin)["certificatePem"], end="")' > "$work/leaf.pem"
openssl ocsp -issuer "$work/issuing.pem" -cert "$work/leaf.pem" -no_nonce -reqout "$work/req.der" >/dev/null
path=/ocsp/$(python3 -c 'import base64,sys,urllib.parse; print(urllib.parse.quote(base64.b64encode(open(sys.argv[1],"rb").read()).decode(), safe=""))' "$work/req.der")
url=http://127.0.0.1:$HTTP$path
for _ in $(seq 1 60); do
  curl -sf -o "$work/resp.der" "$url" && openssl ocsp -respin "$work/resp.der" -issuer "$work/issuing.pem" -cert "$work/leaf.pem" \
    -CAfile "$work/root.pem" -verify_other "$work/issuing.pem" 2>&1 | grep -q ': good' && break
  sleep 1
done
openssl ocsp -respin "$work/resp.der" -issuer "$work/issuing.pem" -cert "$work/leaf.pem" -CAfile "$work/root.pem" \
  -verify_other "$work/issuing.pem" 2>&1 | grep -q ': good' || { echo "Certwright's OCSP response does not verify" >&2; exit 1; }

# nginx serves the same bytes as a static file, with the same content type.
mkdir -p "$work/www"
cp "$work/resp.der" "$work/www/resp.der"
chmod 755 "$work" "$work/www"; chmod 644 "$work/www/resp.der"  # nginx workers run unprivileged
cat > "$work/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  keepalive_requests 100000;
  client_body_temp_path $work/tmp; proxy_temp_path $work/tmp; fastcgi_temp_path $work/tmp; uwsgi_temp_path $work/tmp; scgi_temp_path $work/tmp;
  types { application/ocsp-response der; }
  server { listen 127.0.0.1:$NGINX; root $work/www; }
}
CONF
mkdir -p "$work/tmp"
nginx -c "$work/nginx.conf" -p "$work"
for _ in $(seq 1 20); do curl -sf -o /dev/null http://127.0.0.1:$NGINX/resp.der && break; sleep 0.2; done
cmp -s <(curl -sf http://127.0.0.1:$NGINX/resp.der) "$work/resp.der" || { echo "nginx does not serve the response" >&2; exit 1; }

run() { # url duration -> "rps p50 p99 errors"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$2" --timeout 5s --latency -s scripts/bench/get.lua "$1" | grep '^RESULT'
}
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$2"; }

run "$url" "$WARMUP" >/dev/null
ours=$(run "$url" "$DURATION")
run "http://127.0.0.1:$NGINX/resp.der" "$WARMUP" >/dev/null
peer=$(run "http://127.0.0.1:$NGINX/resp.der" "$DURATION")

echo "# $(date -u +%FT%TZ) $(nproc) cores, $("$JAVA_HOME/bin/java" -version 2>&1 | head -1), nginx $(nginx -v 2>&1 | sed 's/.*\///'), wrk -t$THREADS -c$CONNECTIONS -d$DURATION (after $WARMUP warm-up), response $(stat -c %s "$work/resp.der") bytes"
printf '%-28s %12s %12s %8s\n' measure certwright nginx ratio
printf '%-28s %12s %12s %8s\n' "OCSP GET req/s" "$(field rps "$ours")" "$(field rps "$peer")" \
  "$(python3 -c "print(f'{$(field rps "$ours")/$(field rps "$peer"):.2f}x')")"
printf '%-28s %12s %12s\n' "OCSP GET p50 ms" "$(field p50_ms "$ours")" "$(field p50_ms "$peer")"
printf '%-28s %12s %12s\n' "OCSP GET p99 ms" "$(field p99_ms "$ours")" "$(field p99_ms "$peer")"
printf '%-28s %12s %12s\n' "errors" "$(field errors "$ours")" "$(field errors "$peer")"
