#!/usr/bin/env bash
# JMH microbenchmarks of the signing path (src/test/java/dev/certwright/ca/SigningBenchmark.java): Certwright's leaf
# signing and CSR check beside a bare JCA Signature sign/verify, for ACCP, SunEC and Bouncy Castle. Prints JMH's table
# (operations per second, higher is better).
#
#   scripts/bench/signing.sh            (JMH_ARGS="-wi 3 -i 5 -f 1" change the iterations)
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/jdk.sh
mvn -B -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
echo "# $(date -u +%FT%TZ) $(nproc) cores, $("$JAVA_HOME/bin/java" -version 2>&1 | head -1)"
"$JAVA_HOME/bin/java" -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" org.openjdk.jmh.Main SigningBenchmark \
  ${JMH_ARGS:-} -rf text -rff target/signing-benchmark.txt 2>&1 | grep -E '^(Benchmark|SigningBenchmark)' || true
cat target/signing-benchmark.txt
