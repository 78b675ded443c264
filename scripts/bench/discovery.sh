#!/usr/bin/env bash
# Network discovery over PORTS (1,000) TLS endpoints on loopback: one nginx listening on that many ports, each serving
# the same self-signed P-256 certificate, scanned by Certwright (a discovery run, no SNI, on the embedded H2) and by
# `nmap --script ssl-cert` (Debian's nmap) on the same ports in the same run. Prints endpoints/s and peak memory (RSS)
# for each: Certwright's is the whole server's VmHWM, nmap's is /usr/bin/time's maximum resident set.
#
#   scripts/bench/discovery.sh   (PORTS=1000 FIRST=20000 CONCURRENCY=64 RATE=1000 change the run)
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/jdk.sh
PORTS=${PORTS:-1000}
FIRST=${FIRST:-20000}
CONCURRENCY=${CONCURRENCY:-64}
RATE=${RATE:-1000}
TOKEN=bench-admin-token-0123456789abcdef
HTTPS=18443
HTTP=18080
for tool in openssl nginx nmap curl python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install openssl nginx nmap curl time" >&2; exit 1; }
done
. scripts/lib/jar.sh

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
LAST=$((FIRST + PORTS - 1))

# --- the endpoints: one nginx, PORTS listeners ---
mkdir -p "$work/nginx/tmp"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/nginx/key.pem" -out "$work/nginx/cert.pem" \
  -subj /CN=bench.test -days 30 -addext subjectAltName=DNS:bench.test 2>/dev/null
listens=$(for p in $(seq "$FIRST" "$LAST"); do echo "    listen 127.0.0.1:$p ssl;"; done)
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
worker_rlimit_nofile 8192;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx/tmp/body; proxy_temp_path $work/nginx/tmp/proxy; fastcgi_temp_path $work/nginx/tmp/fastcgi;
  uwsgi_temp_path $work/nginx/tmp/uwsgi; scgi_temp_path $work/nginx/tmp/scgi;
  server {
$listens
    ssl_certificate $work/nginx/cert.pem;
    ssl_certificate_key $work/nginx/key.pem;
    location / { return 200 "ok\n"; }
  }
}
CONF
ulimit -n 16384 || true
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" > "$work/nginx/console.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do (echo > /dev/tcp/127.0.0.1/$LAST) 2>/dev/null && break; sleep 0.2; done

# --- Certwright ---
CERTWRIGHT_ADMIN_TOKEN=$TOKEN "$JAVA_HOME/bin/java" $CERTWRIGHT_JVM_OPTS -Xmx512m -jar target/certwright.jar \
  --server.port=$HTTPS --certwright.http-port=$HTTP --certwright.data-dir="$work/data" \
  --certwright.discovery.allowed-networks=127.0.0.0/8 --certwright.discovery.run-interval=PT1S --certwright.discovery.timeout=PT5S \
  > "$work/certwright.log" 2>&1 &
java_pid=$!
pids+=($java_pid)
for _ in $(seq 1 120); do curl -sf http://127.0.0.1:$HTTP/actuator/health >/dev/null && break; sleep 1; done
api() { curl -sk -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$@"; }
ports_json=$(python3 -c "import json; print(json.dumps(list(range($FIRST, $LAST + 1))))")
api -X POST -d "{\"name\":\"bench\",\"targets\":[\"127.0.0.1\"],\"ports\":$ports_json,\"concurrency\":$CONCURRENCY,\"ratePerSecond\":$RATE}" \
  -w "\nHTTP %{http_code}\n" https://127.0.0.1:$HTTPS/api/v1/discovery/scans > "$work/scan.json" || { cat "$work/scan.json"; exit 1; }
before_hwm=$(awk '/VmHWM/ {print $2}' /proc/$java_pid/status)
grep -q "HTTP 201" "$work/scan.json" || { cat "$work/scan.json" >&2; exit 1; }
run=$(api -X POST https://127.0.0.1:$HTTPS/api/v1/discovery/scans/bench/run | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
state=""
for _ in $(seq 1 600); do
  body=$(api https://127.0.0.1:$HTTPS/api/v1/discovery/scans/bench/runs/$run)
  state=$(echo "$body" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
  [ "$state" = COMPLETED ] || [ "$state" = FAILED ] && break
  sleep 0.5
done
hwm=$(awk '/VmHWM/ {print $2}' /proc/$java_pid/status)
echo "$body" | python3 -c '
import json, sys, datetime
r = json.load(sys.stdin)
t = lambda s: datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
secs = (t(r["finishedAt"]) - t(r["startedAt"])).total_seconds()
done = r["endpointsDone"]
print("certwright: state=%s endpoints=%d handshakes=%d failures=%d seconds=%.2f endpoints/s=%.0f"
      % (r["state"], done, r["handshakes"], r["failures"], secs, done / secs))'
echo "certwright: peak RSS ${hwm} kB (whole server; ${before_hwm} kB before the run)"

# --- nmap --script ssl-cert on the same ports ---
start=$(date +%s.%N)
/usr/bin/time -v -o "$work/nmap.time" nmap -Pn -n -sT --script ssl-cert -p "$FIRST-$LAST" 127.0.0.1 -oN "$work/nmap.txt" > /dev/null
end=$(date +%s.%N)
found=$(grep -c "Subject: commonName=bench.test" "$work/nmap.txt" || true)
rss=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$work/nmap.time")
python3 -c "s = $end - $start; print(f'nmap: certificates={$found} seconds={s:.2f} endpoints/s={$PORTS / s:.0f}')"
echo "nmap: peak RSS ${rss} kB"
