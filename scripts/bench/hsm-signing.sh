#!/usr/bin/env bash
# Certificate signing per second with a P-256 issuer key in a SoftHSM2 token (through SunPKCS11) beside the same with a
# software key (ACCP, the production default, and the JDK's SunEC), in one JMH run
# (src/test/java/dev/certwright/ca/HsmSigningBenchmark.java). Makes a throw-away token in a temporary directory and
# points SOFTHSM2_CONF at it; the token, its PIN and its key are gone when the script ends. Prints JMH's table
# (operations per second, higher is better). Needs Debian's softhsm2 (scripts/test.sh installs it).
#
#   scripts/bench/hsm-signing.sh            (JMH_ARGS="-wi 3 -i 5 -f 1" change the iterations)
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/jdk.sh
command -v softhsm2-util >/dev/null || { echo "softhsm2-util is missing: apt-get install softhsm2" >&2; exit 1; }

token_dir=$(mktemp -d)
trap 'rm -rf "$token_dir"' EXIT
mkdir "$token_dir/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$token_dir/tokens" >"$token_dir/softhsm2.conf"
export SOFTHSM2_CONF=$token_dir/softhsm2.conf
export CERTWRIGHT_BENCH_HSM_LABEL=certwright-bench
CERTWRIGHT_BENCH_HSM_PIN=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
export CERTWRIGHT_BENCH_HSM_PIN
softhsm2-util --init-token --free --label "$CERTWRIGHT_BENCH_HSM_LABEL" --pin "$CERTWRIGHT_BENCH_HSM_PIN" \
  --so-pin "$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" >/dev/null

mvn -B -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
echo "# $(date -u +%FT%TZ) $(nproc) cores, $("$JAVA_HOME/bin/java" -version 2>&1 | head -1), SoftHSM $(softhsm2-util --version)"
# The benchmark's @Fork adds --add-exports for SunPKCS11's wrapper (the token is found by its label).
"$JAVA_HOME/bin/java" -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" org.openjdk.jmh.Main HsmSigningBenchmark \
  ${JMH_ARGS:-} -rf text -rff target/hsm-signing-benchmark.txt 2>&1 | grep -E '^(Benchmark|HsmSigningBenchmark)' || true
cat target/hsm-signing-benchmark.txt
