# Sourced by ocsp.sh and ocsp-ab.sh: starts a Certwright, issues one certificate, and sets up its pre-signed OCSP GET.
# Needs TOKEN, JAVA_HOME and a 'pids' array; JAVA_OPTS adds JVM options.

# start_certwright DIR HTTPS-PORT HTTP-PORT [JAR]: a fresh Certwright (H2 under DIR/data, -Xmx512m), up and healthy.
start_certwright() {
  mkdir -p "$1"
  # shellcheck disable=SC2086 # JAVA_OPTS may hold several options (e.g. -Xlog:gc:file=/tmp/gc.log)
  CERTWRIGHT_ADMIN_TOKEN=$TOKEN "$JAVA_HOME/bin/java" $CERTWRIGHT_JVM_OPTS -Xmx512m ${JAVA_OPTS:-} -jar "${4:-target/certwright.jar}" --server.port="$2" \
    --certwright.http-port="$3" --certwright.data-dir="$1/data" > "$1/certwright.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$3/actuator/health" >/dev/null && break; sleep 1; done
  curl -sf "http://127.0.0.1:$3/actuator/health" >/dev/null || { echo "Certwright did not start" >&2; tail -20 "$1/certwright.log" >&2; exit 1; }
}

# ocsp_url DIR HTTPS-PORT HTTP-PORT: issues one certificate, waits for its pre-signed response to verify as good (left
# in DIR/resp.der), and prints the URL of its RFC 5019 GET (SHA-1 CertID, no nonce, percent-encoded base64).
ocsp_url() {
  local w=$1
  curl -sf "http://127.0.0.1:$3/ca/dev-issuing.pem" > "$w/issuing.pem"
  curl -sf "http://127.0.0.1:$3/ca/dev-root.pem" > "$w/root.pem"
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$w/leaf.key" -subj /CN=ocsp-bench.test \
    -addext subjectAltName=DNS:ocsp-bench.test -out "$w/leaf.csr" 2>/dev/null
  python3 -c 'import json, sys; w = sys.argv[1]; json.dump({"csr": open(w + "/leaf.csr").read(), "profile": "tls-server", "owner": "bench"}, open(w + "/issue.json", "w"))' "$w"
  curl -sf --cacert "$w/root.pem" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d @"$w/issue.json" \
    "https://localhost:$2/api/v1/certificates" | python3 -c 'import json,sys; print(json.load(sys.stdin)["certificatePem"], end="")' > "$w/leaf.pem"
  openssl ocsp -issuer "$w/issuing.pem" -cert "$w/leaf.pem" -no_nonce -reqout "$w/req.der" >/dev/null
  local url
  url=http://127.0.0.1:$3/ocsp/$(python3 -c 'import base64,sys,urllib.parse; print(urllib.parse.quote(base64.b64encode(open(sys.argv[1],"rb").read()).decode(), safe=""))' "$w/req.der")
  local verify=(openssl ocsp -respin "$w/resp.der" -issuer "$w/issuing.pem" -cert "$w/leaf.pem" -CAfile "$w/root.pem" -verify_other "$w/issuing.pem")
  for _ in $(seq 1 60); do
    curl -sf -o "$w/resp.der" "$url" && "${verify[@]}" 2>&1 | grep -q ': good' && break
    sleep 1
  done
  "${verify[@]}" 2>&1 | grep -q ': good' || { echo "Certwright's OCSP response does not verify" >&2; exit 1; }
  echo "$url"
}

# wrk_run URL DURATION: "RESULT requests=… rps=… p50_ms=… p99_ms=… errors=…" under wrk -t$THREADS -c$CONNECTIONS.
wrk_run() {
  wrk -t"${THREADS:-1}" -c"${CONNECTIONS:-32}" -d"$2" --timeout 5s --latency -s scripts/bench/get.lua "$1" | grep '^RESULT'
}
