#!/usr/bin/env bash
# Issuance end to end over REST (POST /api/v1/certificates, wrk) with the issuer keys in a SoftHSM2 token beside the
# same with the software keystore, in one run on the same machine: the server is started twice on a fresh H2 data
# directory, once with ca-config/dev.yml as it is (keys in the encrypted PKCS#12) and once with dev.yml plus a
# keyStore section of type pkcs11 (the hierarchy generated in the token, every leaf signed by it). Same P-256 CSR, same
# wrk load, same JVM options. Prints one line per measure, software beside SoftHSM2, and the ratio.
#
# The token is made in a temporary directory (SOFTHSM2_CONF) with random PINs and is gone when the script ends.
#
#   scripts/bench/issuance-hsm.sh   (DURATION=20s WARMUP=60s CONNECTIONS=16 THREADS=2 change the load; ORDER="hsm software"
#   measures the token first; JAR=path measures another build. The per-token issuance limit is lifted, as in issuance.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/jdk.sh
DURATION=${DURATION:-20s}
WARMUP=${WARMUP:-60s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
ORDER=${ORDER:-software hsm}
TOKEN=bench-admin-token-0123456789abcdef
LIBRARY=/usr/lib/softhsm/libsofthsm2.so

for tool in wrk openssl curl python3 softhsm2-util; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install wrk openssl curl python3 softhsm2" >&2; exit 1; }
done
[ -f "$LIBRARY" ] || { echo "missing $LIBRARY: apt-get install softhsm2" >&2; exit 1; }
. scripts/lib/jar.sh

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The token: a directory of its own, random PINs (the PIN reaches the server in CERTWRIGHT_BENCH_HSM_PIN only).
mkdir "$work/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$work/tokens" >"$work/softhsm2.conf"
export SOFTHSM2_CONF=$work/softhsm2.conf
label=certwright-bench
pin=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
softhsm2-util --init-token --free --label "$label" --pin "$pin" --so-pin "$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" >/dev/null
{ printf 'keyStore:\n  type: pkcs11\n  library: %s\n  tokenLabel: %s\n  pinEnv: CERTWRIGHT_BENCH_HSM_PIN\n\n' "$LIBRARY" "$label"
  cat ca-config/dev.yml; } >"$work/ca-hsm.yml"

openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/leaf.key" -subj "/CN=bench.test" \
  -addext "subjectAltName=DNS:bench.test" -out "$work/leaf.csr" 2>/dev/null
python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
json.dump({"csr": open(w + "/leaf.csr").read(), "profile": "tls-server", "owner": "bench"}, open(w + "/ours.json", "w"))
PY

start_certwright() { # name, ca-config
  CERTWRIGHT_ADMIN_TOKEN=$TOKEN CERTWRIGHT_BENCH_HSM_PIN=$pin "$JAVA_HOME/bin/java" $CERTWRIGHT_JVM_OPTS -Xmx512m -jar "${JAR:-target/certwright.jar}" \
    --server.port=18443 --certwright.http-port=18080 --certwright.data-dir="$work/$1" --certwright.ca-config="$2" \
    --certwright.api.issuance-limit.per-token=100000000 > "$work/$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 120); do curl -sf http://127.0.0.1:18080/actuator/health >/dev/null && return 0; sleep 1; done
  echo "Certwright did not start; see the log below" >&2; tail -20 "$work/$1.log" >&2; exit 1
}
stop_last() { kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true; unset 'pids[-1]'; }
load() { # duration -> RESULT line
  BODY_FILE=$work/ours.json TOKEN=$TOKEN wrk -t"$THREADS" -c"$CONNECTIONS" -d"$1" --timeout 10s --latency -s scripts/bench/issue.lua \
    https://localhost:18443/api/v1/certificates | grep '^RESULT'
}
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$2"; }

declare -A results
for mode in $ORDER; do
  case $mode in
    software) start_certwright software ca-config/dev.yml ;;
    hsm) start_certwright hsm "$work/ca-hsm.yml" ;;
    *) echo "ORDER names software and hsm, not $mode" >&2; exit 2 ;;
  esac
  location=$(curl -sk -H "Authorization: Bearer $TOKEN" https://localhost:18443/api/v1/issuers/dev-issuing | python3 -c 'import json,sys; print(json.load(sys.stdin)["keyLocation"])')
  [ "$mode" = hsm ] && [ "$location" != pkcs11 ] && { echo "the hsm run's issuer key is in $location, not the token" >&2; exit 1; }
  [ "$mode" = software ] && [ "$location" != keystore ] && { echo "the software run's issuer key is in $location" >&2; exit 1; }
  code=$(curl -sk -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d @"$work/ours.json" https://localhost:18443/api/v1/certificates)
  [ "$code" = 201 ] || { echo "Certwright ($mode) answered $code" >&2; exit 1; }
  load "$WARMUP" >/dev/null
  results[$mode]=$(load "$DURATION")
  if grep -q "$pin" "$work/$mode.log"; then echo "the $mode server's log holds the PIN" >&2; exit 1; fi
  stop_last
done

echo "# $(date -u +%FT%TZ) $(nproc) cores, $("$JAVA_HOME/bin/java" -version 2>&1 | head -1) $CERTWRIGHT_JVM_OPTS, SoftHSM $(softhsm2-util --version), H2, wrk -t$THREADS -c$CONNECTIONS -d$DURATION (after $WARMUP warm-up), order: $ORDER"
printf '%-24s %12s %12s %8s\n' measure software softhsm2 ratio
s=${results[software]}; h=${results[hsm]}
printf '%-24s %12s %12s %8s\n' "issuance req/s" "$(field rps "$s")" "$(field rps "$h")" "$(python3 -c "print(f'{$(field rps "$h")/$(field rps "$s"):.2f}x')")"
printf '%-24s %12s %12s\n' "p50 ms" "$(field p50_ms "$s")" "$(field p50_ms "$h")"
printf '%-24s %12s %12s\n' "p99 ms" "$(field p99_ms "$s")" "$(field p99_ms "$h")"
printf '%-24s %12s %12s\n' "errors" "$(field errors "$s")" "$(field errors "$h")"
