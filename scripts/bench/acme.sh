#!/usr/bin/env bash
# ACME full-order latency and throughput: Certwright against Debian's pebble (PEBBLE_VA_NOSLEEP=1,
# PEBBLE_WFE_NONCEREJECT=0), the same acme4j load client (scripts/bench/AcmeLoad.java) against each, same machine, same
# run: new order, http-01 answered in-process, finalize, certificate download. Names resolve through
# pebble-challtestsrv for both. Prints one line per measure: ours, the peer's, and the ratio.
#
# Each server is measured twice: WORKERS concurrent clients (throughput) after WARMUP seconds, then one client
# (latency) after 30 s more. The JVM on both sides needs the long first warm-up: C2 is still compiling after a minute
# (docs/benchmarks.md); pebble, compiled ahead of time, gets the same.
#
#   scripts/bench/acme.sh   (WORKERS=8 DURATION=20 WARMUP=90 change the load)
#   PROFILE=1 scripts/bench/acme.sh   also profiles Certwright's CPU in both measured windows with async-profiler (from
#                                     Maven Central), writes target/bench/acme-cpu-*.collapsed and prints the shares
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/jdk.sh
WORKERS=${WORKERS:-8} DURATION=${DURATION:-20} WARMUP=${WARMUP:-90}
TOKEN=bench-admin-token-0123456789abcdef

for tool in pebble pebble-challtestsrv openssl curl; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install pebble openssl curl" >&2; exit 1; }
done
. scripts/lib/jar.sh
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="${TMPDIR:-/tmp}/certwright-bench-classpath" >/dev/null 2>&1
classpath=$(cat "${TMPDIR:-/tmp}/certwright-bench-classpath")

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${KEEP_WORK:-}" ] && echo "kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT

pebble-challtestsrv -dns01 127.0.0.1:18053 -management 127.0.0.1:18055 -http01 "" -https01 "" -tlsalpn01 "" > "$work/challtestsrv.log" 2>&1 &
pids+=($!)
# Names answer 127.0.0.1 only: pebble tries an AAAA answer first, and the load client listens on 127.0.0.1.
for _ in $(seq 1 50); do curl -sf -X POST -d '{"ip":""}' http://127.0.0.1:18055/set-default-ipv6 >/dev/null && break; sleep 0.2; done

# --- Certwright ---
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$2"; }
# load DIRECTORY PEM WORKERS WARMUP SERVER_PID: the acme4j load client's RESULT and STEPS lines, joined in one line.
load() {
  STEPS=1 SERVER_PID=$5 WORKERS=$3 WARMUP=$4 DURATION_SECONDS=$DURATION HTTP01_PORT=15002 "$JAVA_HOME/bin/java" -cp "$classpath" scripts/bench/AcmeLoad.java "$1" "$2" \
    | grep -E '^(RESULT|STEPS)' | tr '\n' ' '
}

CERTWRIGHT_ADMIN_TOKEN=$TOKEN "$JAVA_HOME/bin/java" $CERTWRIGHT_JVM_OPTS -Xms512m -Xmx512m -jar target/certwright.jar --server.port=18443 --certwright.http-port=18080 \
  --certwright.data-dir="$work/data" --certwright.acme.http01-port=15002 --certwright.acme.dns-resolver=127.0.0.1:18053 \
  --certwright.acme.orders-per-account=1000000 --certwright.acme.orders-per-identifier=1000000 > "$work/certwright.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do curl -sf http://127.0.0.1:18080/actuator/health >/dev/null && break; sleep 1; done
curl -sf http://127.0.0.1:18080/ca/dev-root.pem > "$work/root.pem"
# PROFILE=1: async-profiler attached to Certwright for the measured window (the client's JVM starts in about 2 s).
profiler=
profilers=()
if [ -n "${PROFILE:-}" ]; then
  mvn -B -q dependency:copy -Dartifact=tools.profiler:async-profiler:4.2 -DoutputDirectory="$work/ap" >/dev/null 2>&1
  (cd "$work/ap" && unzip -q async-profiler-4.2.jar 'linux-x64/*')
  profiler="$work/ap/linux-x64/libasyncProfiler.so"
  mkdir -p target/bench
fi
profile() { # name, seconds to wait, pid: CPU samples of the measured window
  [ -n "$profiler" ] || return 0
  ( sleep "$2"; "$JAVA_HOME/bin/jcmd" "$3" JVMTI.agent_load "$profiler" "\"start,event=cpu,interval=1ms,threads\""
    sleep "$DURATION"; "$JAVA_HOME/bin/jcmd" "$3" JVMTI.agent_load "$profiler" "\"stop,file=$PWD/target/bench/acme-cpu-$1.collapsed,collapsed\"" ) >/dev/null 2>&1 &
  profilers+=($!)
}
profile "$WORKERS-workers" $(( WARMUP + 2 )) "${pids[-1]}"
ours=$(load https://localhost:18443/acme/directory "$work/root.pem" "$WORKERS" "$WARMUP" "${pids[-1]}")
profile 1-worker 32 "${pids[-1]}"
ours1=$(load https://localhost:18443/acme/directory "$work/root.pem" 1 30 "${pids[-1]}")
for p in "${profilers[@]}"; do wait "$p"; done
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true; unset 'pids[-1]'

# --- pebble, with a TLS certificate of its own for localhost ---
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/pebble.key" -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -days 2 -out "$work/pebble.pem" 2>/dev/null
cat > "$work/pebble.json" <<JSON
{"pebble": {"listenAddress": "127.0.0.1:14000", "managementListenAddress": "127.0.0.1:15000",
  "certificate": "$work/pebble.pem", "privateKey": "$work/pebble.key", "httpPort": 15002, "tlsPort": 15001,
  "ocspResponderURL": "", "externalAccountBindingRequired": false}}
JSON
# pebble 2.4 (Debian) deadlocks under concurrent orders: a recursive read lock in its memory store (goroutine dump:
# MemoryStore.FindValidAuthorization waiting behind AddChallenge's write lock), usually within seconds at 8 workers.
# A run that hangs is repeated on a fresh pebble with half the workers, at most three runs; the workers of the run
# reported are printed.
start_pebble() {
  PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 PEBBLE_AUTHZREUSE=0 pebble -config "$work/pebble.json" -dnsserver 127.0.0.1:18053 \
    > "$work/pebble.log" 2>&1 &
  pebble_pid=$!
  pids+=("$pebble_pid")
  for _ in $(seq 1 60); do curl -sf --cacert "$work/pebble.pem" https://localhost:14000/dir >/dev/null && break; sleep 0.5; done
}
# peer_load WORKERS WARMUP: sets peer_result to a RESULT line (plus workers=) from a run in which pebble did not hang.
peer_load() {
  local workers=$1 attempt
  for attempt in 1 2 3; do
    peer_result="$(load https://localhost:14000/dir "$work/pebble.pem" "$workers" "$2" "$pebble_pid") workers=$workers"
    # A hang within the measured window leaves its requests waiting, not failed: no orders counts as a hang too.
    [ "$(field errors "$peer_result")" = 0 ] && [ "$(field orders "$peer_result")" != 0 ] && return
    echo "pebble hung (run $attempt, $workers workers): $peer_result" >&2
    kill "$pebble_pid"; wait "$pebble_pid" 2>/dev/null || true
    start_pebble
    workers=$(( workers > 1 ? workers / 2 : 1 ))
  done
}
start_pebble
peer_load "$WORKERS" "$WARMUP"; peer=$peer_result
peer_load 1 30; peer1=$peer_result

ratio() { python3 -c "print('n/a' if $2 == 0 else f'{$1/$2:.2f}x')"; }
echo "# $(date -u +%FT%TZ) $(nproc) cores, $("$JAVA_HOME/bin/java" -version 2>&1 | head -1) $CERTWRIGHT_JVM_OPTS, pebble $(dpkg-query -W -f='${Version}' pebble), acme4j; ${DURATION}s measured after ${WARMUP}s (then 30s) warm-up"
printf '%-34s %12s %12s %8s\n' measure certwright pebble ratio
printf '%-34s %12s %12s %8s\n' "full orders/s, $WORKERS workers" "$(field rps "$ours")" "$(field rps "$peer")" "$(ratio "$(field rps "$ours")" "$(field rps "$peer")")"
printf '%-34s %12s %12s\n' "p50 / p99 ms, $WORKERS workers" "$(field p50_ms "$ours") / $(field p99_ms "$ours")" "$(field p50_ms "$peer") / $(field p99_ms "$peer")"
printf '%-34s %12s %12s %8s\n' "full orders/s, 1 worker" "$(field rps "$ours1")" "$(field rps "$peer1")" "$(ratio "$(field rps "$ours1")" "$(field rps "$peer1")")"
printf '%-34s %12s %12s\n' "p50 / p99 ms, 1 worker" "$(field p50_ms "$ours1") / $(field p99_ms "$ours1")" "$(field p50_ms "$peer1") / $(field p99_ms "$peer1")"
printf '%-34s %12s %12s\n' "server CPU ms/order, $WORKERS workers" "$(field server_cpu_ms "$ours")" "$(field server_cpu_ms "$peer")"
printf '%-34s %12s %12s\n' "client CPU ms/order, $WORKERS workers" "$(field client_cpu_ms "$ours")" "$(field client_cpu_ms "$peer")"
printf '%-34s %12s %12s\n' "workers in the run reported" "$WORKERS / 1" "$(field workers "$peer") / $(field workers "$peer1")"
for step in newOrder authz trigger authzValid orderReady finalize orderValid download; do
  printf '%-34s %12s %12s\n' "  1 worker, ms in step $step" "$(field "$step" "$ours1")" "$(field "$step" "$peer1")"
done
printf '%-34s %12s %12s\n' "errors" "$(( $(field errors "$ours") + $(field errors "$ours1") ))" "$(( $(field errors "$peer") + $(field errors "$peer1") ))"
if [ -n "$profiler" ]; then
  for f in target/bench/acme-cpu-*.collapsed; do echo "# Certwright CPU, $f"; python3 scripts/bench/profile-summary.py "$f" 12; done
fi
