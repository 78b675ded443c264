#!/usr/bin/env bash
# Fuzzes Certwright's parsers of outside data with Jazzer, one target after the other (one fuzzer at a time: each uses
# a core and about 1.5 GB).
#
#   scripts/fuzz.sh [DURATION] [TARGET...]
#
# DURATION is per target, in Jazzer's syntax (30s, 10m, 1h); default 10m. TARGETs are Class#method; default all:
#   CsrFuzzTest#csr                  PKCS#10 CSRs, DER and PEM (x509/CsrView)
#   OcspRequestFuzzTest#respond      OCSP requests (revocation/OcspResponder)
#   CertificateImportFuzzTest#importPem  PEM and DER certificate imports (issuance/CertificateImports)
#   CertificateBundlesFuzzTest#read  bulk-import uploads: bundles, keystores, archives (x509/CertificateBundles)
#   JwsFuzzTest#verify               ACME flattened JWS bodies (acme/web/AcmeRequests, Nimbus JOSE)
#   CaConfigLoaderFuzzTest#yaml      ca-config YAML (policy/CaConfigLoader)
#
# Where things go:
#   - findings (crashes) are written by Jazzer into src/test/resources/<package>/<Class>Inputs/<method>/crash-*, which
#     plain `mvn verify` replays: give each a telling name, commit it with the fix;
#   - the corpus the fuzzer grows is kept in src/test/fuzz-corpus/<package.Class>/<method>/ (through a .cifuzz-corpus link,
#     Jazzer's default location), reused by the next run; commit it to let the next run start where this one ended;
#   - each run's log is target/fuzz/<Class>.log, and its figures (executions, coverage, corpus, findings) are printed at
#     the end and kept in target/fuzz/summary.txt.
#
# Environment: FUZZ_KEEP_GOING (default 20) distinct findings before a target stops, FUZZ_XMX (default 1g) the heap,
# FUZZ_MAX_LEN (default 4096) the largest input libFuzzer makes, MAVEN_ARGS extra Maven arguments (such as -o).
# Inputs are cut to FUZZ_MAX_LEN while fuzzing: the seeds of deeply nested ASN.1 (16 to 24 KB) would otherwise make most
# mutations a slow StackOverflowError; plain `mvn verify` replays them whole.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/jdk.sh

duration=${1:-10m}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(CsrFuzzTest#csr OcspRequestFuzzTest#respond CertificateImportFuzzTest#importPem CertificateBundlesFuzzTest#read JwsFuzzTest#verify CaConfigLoaderFuzzTest#yaml)
fi
keep_going=${FUZZ_KEEP_GOING:-20}
xmx=${FUZZ_XMX:-1g}
max_len=${FUZZ_MAX_LEN:-4096}

# Jazzer writes its generated corpus under .cifuzz-corpus/ in the project root; keep it in src/test/fuzz-corpus/ instead.
mkdir -p src/test/fuzz-corpus target/fuzz
if [ ! -e .cifuzz-corpus ]; then
  ln -s src/test/fuzz-corpus .cifuzz-corpus
elif [ ! -L .cifuzz-corpus ]; then
  echo "fuzz.sh: .cifuzz-corpus is a directory from an earlier run; move its contents into src/test/fuzz-corpus/ and remove it" >&2
  exit 2
fi

# Compile once; each target then runs only its own test class.
mvn -B -q ${MAVEN_ARGS:-} -DskipTests test-compile

summary=target/fuzz/summary.txt
printf '%-40s %10s %12s %8s %8s %10s %9s %s\n' target duration executions exec/s cov features corpus 'new findings (saved inputs replayed)' > "$summary"
status=0
for target in "${targets[@]}"; do
  class=${target%%#*}
  log=target/fuzz/$class.log
  inputs=$(find src/test/resources -type d -path "*/${class}Inputs/${target#*#}" | head -1)
  before=$(ls "$inputs" 2>/dev/null | grep -c '^crash-' || true)
  echo "fuzz.sh: fuzzing $target for $duration (log: $log)" >&2
  # Instrument our code and the parsers we depend on, so that coverage guides the fuzzer into them as well.
  set +e
  JAZZER_FUZZ=1 mvn -B ${MAVEN_ARGS:-} surefire:test -Dtest="$target" -Dsurefire.failIfNoSpecifiedTests=false \
    -DtrimStackTrace=false -DargLine="-Xmx$xmx -XX:+EnableDynamicAgentLoading" \
    -Djazzer.max_duration="$duration" -Djazzer.keep_going="$keep_going" \
    -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-max_len="$max_len" \
    -Djazzer.instrumentation_includes='dev.certwright.**:org.bouncycastle.**:com.nimbusds.**:tools.jackson.**:org.yaml.snakeyaml.**' \
    > "$log" 2>&1
  rc=$?
  set -e
  # libFuzzer's last status line ("#N DONE cov: .. ft: .. corp: n/size .. exec/s: ..") or, after a finding, its last line.
  last=$(grep -aE '^#[0-9]+' "$log" | tail -1 || true)
  execs=$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$last")
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
  corp=$(sed -nE 's/.* corp: ([0-9]+).*/\1/p' <<<"$last")
  rate=$(sed -nE 's/.* exec\/s: ([0-9]+).*/\1/p' <<<"$last")
  after=$(ls "$inputs" 2>/dev/null | grep -c '^crash-' || true)
  findings=$((after - before))
  # Jazzer replays the saved inputs before it fuzzes; a failing one (a known, unfixed finding) fails the Maven run too.
  replay=$(grep -aoE 'Tests run: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$log" | tail -1 \
    | sed -E 's/Tests run: ([0-9]+), Failures: ([0-9]+), Errors: ([0-9]+)/\1 run, \2+\3 failed/')
  printf '%-40s %10s %12s %8s %8s %10s %9s %s\n' "$target" "$duration" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" \
    "${findings:-0} (${replay:-?})" >> "$summary"
  [ "$rc" -eq 0 ] || status=1
done
echo
cat "$summary"
echo
echo "New findings, if any (replayed by mvn verify):"
git status --porcelain --untracked-files=all -- src/test/resources | grep 'crash-' | sed 's/^/  /' || echo '  none'
exit $status
