# Sourced by the scripts: exports JAVA_HOME for a JDK >= 21 (JAVA_HOME if it qualifies, else the newest under /usr/lib/jvm).
jdk_major() {
  local home=$1 v=""
  if [ -f "$home/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release")
  fi
  if [ -z "$v" ] && [ -x "$home/bin/java" ]; then
    v=$("$home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/.*java.specification.version = \([0-9]*\).*/\1/p')
  fi
  echo "${v:-0}"
}

pick_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ] && [ "$(jdk_major "$JAVA_HOME")" -ge 21 ]; then
    return 0
  fi
  local best="" best_v=0 dir v
  for dir in /usr/lib/jvm/*/; do
    dir=${dir%/}
    [ -x "$dir/bin/javac" ] || continue
    [ -L "$dir" ] && continue
    v=$(jdk_major "$dir")
    if [ "$v" -gt "$best_v" ]; then best=$dir; best_v=$v; fi
  done
  if [ "$best_v" -lt 21 ]; then
    echo "Certwright needs a JDK 21 or newer: set JAVA_HOME, or install one under /usr/lib/jvm" >&2
    return 1
  fi
  export JAVA_HOME=$best
}

pick_jdk || exit 1
export PATH="$JAVA_HOME/bin:$PATH"

# The server's JVM options, used by scripts/run.sh and every benchmark that starts a server; set CERTWRIGHT_JVM_OPTS to
# change them (e.g. -XX:+UseG1GC, the JDK's default). The parallel collector: docs/decisions.md §44.
export CERTWRIGHT_JVM_OPTS=${CERTWRIGHT_JVM_OPTS:--XX:+UseParallelGC}
