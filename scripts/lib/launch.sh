# Sourced by scripts/run.sh and the benchmarks: how to start target/certwright.jar fast.
#
# On a JDK >= 25 the jar is extracted to target/certwright-launch/ (the JDK's AOT cache needs a plain classpath of
# jars, the same one at training and at run time) and an AOT cache (JEP 483/514/515: classes loaded and linked, method
# profiles) is made by one training run of the server on a throw-away H2 database in a temporary directory. Both are
# made again whenever target/certwright.jar changes. On an older JDK, or when anything here fails, the server starts
# as before with -jar: the cache only ever makes a start faster, it is never needed. In the extracted copy the signed
# jars (Bouncy Castle, ACCP) lose their signature files (UnsignJars.java), since the JDK leaves signed jars' classes
# out of the cache. Every start uses the bean definitions that Spring AOT made at build time (CERTWRIGHT_SPRING_AOT,
# decision 64).
#
#   certwright_aot_cache        makes the extracted jar and the cache if they are missing or older than the jar
#   certwright_launch_command   sets CERTWRIGHT_LAUNCH to the java arguments that start the server (no JVM options)

CERTWRIGHT_LAUNCH_DIR=${CERTWRIGHT_LAUNCH_DIR:-target/certwright-launch}
CERTWRIGHT_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Spring AOT's generated bean definitions (the pom's process-aot). They register every bean in a few very long
# methods, which HotSpot would otherwise leave interpreted (methods over 8,000 bytes of bytecode are not compiled).
CERTWRIGHT_SPRING_AOT=(-Dspring.aot.enabled=true -XX:-DontCompileHugeMethods)

certwright_jdk_major() {
  "$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/.*java.specification.version = \([0-9]*\).*/\1/p'
}

# The stamp of target/certwright.jar (size and modification second) that the extracted copy was made from; the test
# harness (src/test/java/dev/certwright/support/JarLaunch.java) compares the same two numbers.
certwright_jar_stamp() {
  stat -c '%s %Y' target/certwright.jar
}

# The extracted jar under $CERTWRIGHT_LAUNCH_DIR, made again when target/certwright.jar changed. Returns 1 when it
# cannot be made.
certwright_extract() {
  local dir=$CERTWRIGHT_LAUNCH_DIR
  if [ -f "$dir/certwright.jar" ] && [ "$(cat "$dir/source.stamp" 2>/dev/null)" = "$(certwright_jar_stamp)" ]; then
    return 0
  fi
  rm -rf "$dir"
  local stamp
  stamp=$(certwright_jar_stamp)
  "$JAVA_HOME/bin/java" -Djarmode=tools -jar target/certwright.jar extract --destination "$dir" >/dev/null 2>&1 \
    && "$JAVA_HOME/bin/java" "$CERTWRIGHT_LIB_DIR/UnsignJars.java" "$dir/lib" || {
    rm -rf "$dir"
    return 1
  }
  echo "$stamp" >"$dir/source.stamp"
}

certwright_aot_cache() {
  [ "$(certwright_jdk_major)" -ge 25 ] 2>/dev/null || return 0
  certwright_extract || return 0
  local dir cache
  dir=$(cd "$CERTWRIGHT_LAUNCH_DIR" && pwd)
  cache=$dir/certwright.aot
  if [ -s "$cache" ] && [ ! "$dir/source.stamp" -nt "$cache" ]; then
    return 0
  fi
  rm -f "$cache" "$cache.tmp"
  local training port https pid status=1 token=aot-training-token-0123456789abcdef project=$PWD
  training=$(mktemp -d)
  port=$(shuf -i 20000-39999 -n 1)
  https=$((port + 20000))
  echo "training the AOT cache $cache (once per build, about a minute)" >&2
  # One full start on a fresh H2 database (CA bootstrap, Flyway), as the server starts every time, then a few requests
  # (health, the CA certificates, the API, ACME) so that their classes are in the cache too, then a normal stop (the
  # JVM writes the cache at exit). The classpath is the extracted jar's absolute path, as every later start uses.
  # An empty environment and the temporary directory as working directory: the operator's CERTWRIGHT_*/SPRING_*
  # variables and any ./application.properties or ./config/ (a real database, the CA passphrase) never reach it.
  # shellcheck disable=SC2086 # CERTWRIGHT_JVM_OPTS may hold several options
  (cd "$training" && exec env -i PATH="$PATH" HOME="$training" LANG=C.UTF-8 CERTWRIGHT_ADMIN_TOKEN=$token \
    "$JAVA_HOME/bin/java" $CERTWRIGHT_JVM_OPTS -Xmx512m "${CERTWRIGHT_SPRING_AOT[@]}" -XX:AOTCacheOutput="$cache.tmp" \
    -jar "$dir/certwright.jar" --server.port=$https --certwright.http-port=$port --certwright.data-dir="$training/data" \
    --certwright.ca-config="$project/ca-config/dev.yml") >"$training/training.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 1200); do
    if curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$port/actuator/health"; then
      curl -sf -o /dev/null "http://127.0.0.1:$port/ca/dev-root.crt" || true
      curl -sfk -o /dev/null -H "Authorization: Bearer $token" "https://127.0.0.1:$https/api/v1/certificates" || true
      curl -sfk -o /dev/null "https://127.0.0.1:$https/acme/directory" || true
      status=0
      break
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  # (|| true: callers run under set -e, and a server stopped by SIGTERM exits with 143)
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [ "$status" = 0 ] && [ -s "$cache.tmp" ]; then
    mv "$cache.tmp" "$cache"
  else
    echo "AOT cache training failed (the server starts without the cache); log: $dir/training.log" >&2
    cp "$training/training.log" "$dir/training.log" 2>/dev/null || true
    rm -f "$cache.tmp"
  fi
  rm -rf "$training"
  return 0
}

certwright_launch_command() {
  local dir=$CERTWRIGHT_LAUNCH_DIR
  CERTWRIGHT_LAUNCH=("${CERTWRIGHT_SPRING_AOT[@]}" -jar target/certwright.jar)
  if [ "$(certwright_jdk_major)" -ge 25 ] 2>/dev/null && certwright_extract; then
    dir=$(cd "$dir" && pwd)
    CERTWRIGHT_LAUNCH=("${CERTWRIGHT_SPRING_AOT[@]}" -jar "$dir/certwright.jar")
    # A cache older than the extracted jar is not used. The JVM also checks the cache against the classpath (paths,
    # sizes, times of the jars) and, when it does not match, says so and starts without it: -XX:AOTCache only ever
    # makes a start faster, it is never a reason to fail.
    if [ -s "$dir/certwright.aot" ] && [ ! "$dir/source.stamp" -nt "$dir/certwright.aot" ]; then
      CERTWRIGHT_LAUNCH=("${CERTWRIGHT_SPRING_AOT[@]}" -XX:AOTCache="$dir/certwright.aot" -jar "$dir/certwright.jar")
    fi
  fi
}
