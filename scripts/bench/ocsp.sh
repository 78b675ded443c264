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

. scripts/bench/ocsp-lib.sh
start_certwright "$work" $HTTPS $HTTP
url=$(ocsp_url "$work" $HTTPS $HTTP)

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

field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$2"; }

wrk_run "$url" "$WARMUP" >/dev/null
ours=$(wrk_run "$url" "$DURATION")
wrk_run "http://127.0.0.1:$NGINX/resp.der" "$WARMUP" >/dev/null
peer=$(wrk_run "http://127.0.0.1:$NGINX/resp.der" "$DURATION")

echo "# $(date -u +%FT%TZ) $(nproc) cores, $("$JAVA_HOME/bin/java" -version 2>&1 | head -1) $CERTWRIGHT_JVM_OPTS, nginx $(nginx -v 2>&1 | sed 's/.*\///'), wrk -t$THREADS -c$CONNECTIONS -d$DURATION (after $WARMUP warm-up), response $(stat -c %s "$work/resp.der") bytes"
printf '%-28s %12s %12s %8s\n' measure certwright nginx ratio
printf '%-28s %12s %12s %8s\n' "OCSP GET req/s" "$(field rps "$ours")" "$(field rps "$peer")" \
  "$(python3 -c "print(f'{$(field rps "$ours")/$(field rps "$peer"):.2f}x')")"
printf '%-28s %12s %12s\n' "OCSP GET p50 ms" "$(field p50_ms "$ours")" "$(field p50_ms "$peer")"
printf '%-28s %12s %12s\n' "OCSP GET p99 ms" "$(field p99_ms "$ours")" "$(field p99_ms "$peer")"
printf '%-28s %12s %12s\n' "errors" "$(field errors "$ours")" "$(field errors "$peer")"
